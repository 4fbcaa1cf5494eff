"""The FAQ pages' data and changes: each function is one unit of work over the core
(bot.faq_store, bot.faq_transfer, bot.faq_reports, bot.faq_preview), audited by the core in
the same unit of work. Synchronous on purpose: the routes run them in a thread.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional

from bot.clock import utc_naive
from bot.db import session_scope
from bot.errors import FaqInvalid
from bot.faq_content import (FaqContent, format_links, languages, missing_parts, parse_lines,
                             parse_links)
from bot.faq_preview import preview_answer, preview_version
from bot.faq_reports import (missed_answers, ratings_by_topic, served_from_replaced,
                             unanswered_groups)
from bot.faq_store import (STATES, Actor, archive, create_entry, get_entry, get_version,
                           latest_version, publish, revert, save_version, summaries)
from bot.faq_transfer import ImportResult, export_csv, export_yaml, import_faq
from console.auth import StaffIdentity
from console.languages import LANGUAGE_NAMES, language_name

REPORT_DAYS = 90


def actor_of(staff: StaffIdentity, ip: str) -> Actor:
    return Actor(username=staff.username, ip=ip)


def language_rows() -> List[Dict[str, str]]:
    return [{"code": code, "name": language_name(code)} for code in languages()]


def content_from_form(form: Mapping[str, Any]) -> FaqContent:
    """The editor's fields: questions_<lang> (one per line), answer_<lang>, links."""
    def field(name: str) -> str:
        return str(form.get(name) or "")

    return FaqContent(
        questions={code: parse_lines(field(f"questions_{code}")) for code in languages()},
        answers={code: field(f"answer_{code}") for code in languages()},
        links=parse_links(field("links")))


def form_values(questions: Mapping[str, List[str]], answers: Mapping[str, str],
                links: List[Dict[str, str]]) -> Dict[str, str]:
    """A version's content as the editor's field values."""
    values = {"links": format_links(links)}
    for code in languages():
        values[f"questions_{code}"] = "\n".join(questions.get(code) or [])
        values[f"answer_{code}"] = answers.get(code) or ""
    return values


def load_list(state: Optional[str]) -> Dict[str, Any]:
    with session_scope() as session:
        rows = summaries(session, state if state in STATES else None)
    return {"rows": rows, "state": state if state in STATES else "", "states": STATES,
            "languages": language_rows()}


def create(staff: StaffIdentity, ip: str, topic: str, form: Mapping[str, Any]) -> int:
    with session_scope() as session:
        return create_entry(session, topic, content_from_form(form), actor_of(staff, ip)).id


def load_entry(entry_id: int) -> Dict[str, Any]:
    """The editor: the latest version in the form, completeness, previews, publish choices."""
    with session_scope() as session:
        entry = get_entry(session, entry_id)
        version = latest_version(entry)
        return {
            "entry": _entry_dict(entry),
            "latest": _version_dict(version),
            "form": form_values(version.questions or {}, version.answers or {}, version.links or []),
            "missing": missing_parts(version.questions or {}, version.answers or {}),
            "previews": preview_version(version.answers or {}, version.links or [], languages()),
            "version_numbers": [v.version for v in reversed(entry.versions)],
            "languages": language_rows(),
        }


def _entry_dict(entry: Any) -> Dict[str, Any]:
    return {"id": entry.id, "topic": entry.topic, "state": entry.state,
            "current_version": entry.current_version,
            "published_version": entry.published_version, "updated_at": entry.updated_at}


def _version_dict(version: Any) -> Dict[str, Any]:
    return {"version": version.version, "questions": version.questions or {},
            "answers": version.answers or {}, "links": version.links or [],
            "created_by": version.created_by, "created_at": version.created_at,
            "missing": missing_parts(version.questions or {}, version.answers or {})}


def save(staff: StaffIdentity, ip: str, entry_id: int, form: Mapping[str, Any]) -> int:
    """A new version from the form; refused when someone saved another since the form was
    opened (`seen_version`), so nobody overwrites a colleague's edit unknowingly."""
    with session_scope() as session:
        entry = get_entry(session, entry_id)
        seen = str(form.get("seen_version") or "")
        if seen and seen != str(entry.current_version):
            raise FaqInvalid([f"someone saved version {entry.current_version} after you opened "
                              f"version {seen}; reload the page and make your change again"])
        return save_version(session, entry_id, content_from_form(form), actor_of(staff, ip)).version


def publish_version(staff: StaffIdentity, ip: str, entry_id: int, version: Optional[int]) -> int:
    with session_scope() as session:
        return int(publish(session, entry_id, actor_of(staff, ip), version).published_version)


def archive_entry(staff: StaffIdentity, ip: str, entry_id: int) -> None:
    with session_scope() as session:
        archive(session, entry_id, actor_of(staff, ip))


def revert_to(staff: StaffIdentity, ip: str, entry_id: int, version: int) -> int:
    with session_scope() as session:
        return revert(session, entry_id, version, actor_of(staff, ip)).version


def load_versions(entry_id: int) -> Dict[str, Any]:
    with session_scope() as session:
        entry = get_entry(session, entry_id)
        return {"entry": _entry_dict(entry),
                "versions": [_version_dict(v) for v in reversed(entry.versions)],
                "languages": language_rows()}


def load_preview(entry_id: int, version: Optional[int]) -> Dict[str, Any]:
    with session_scope() as session:
        entry = get_entry(session, entry_id)
        chosen = get_version(entry, version) if version else latest_version(entry)
        return {"entry": _entry_dict(entry), "version": _version_dict(chosen),
                "previews": preview_version(chosen.answers or {}, chosen.links or [], languages()),
                "version_numbers": [v.version for v in reversed(entry.versions)],
                "language_names": LANGUAGE_NAMES}


def live_preview(text: str, links_text: str) -> Dict[str, Any]:
    """What the editor's counter shows while typing."""
    preview = preview_answer("", text, parse_links(links_text))
    return {"characters": preview.characters, "encoding": preview.encoding,
            "units": preview.units, "segments": preview.segments,
            "sms_messages": len(preview.sms_messages),
            "non_gsm_characters": preview.non_gsm_characters,
            "telegram_fits": preview.telegram_fits}


def export(file_format: str) -> str:
    with session_scope() as session:
        return export_yaml(session) if file_format == "yaml" else export_csv(session)


def import_file(staff: StaffIdentity, ip: str, text: str, file_format: str) -> ImportResult:
    with session_scope() as session:
        return import_faq(session, text, file_format, actor_of(staff, ip))


def load_unanswered(days: int = REPORT_DAYS) -> Dict[str, Any]:
    since = utc_naive() - dt.timedelta(days=days)
    with session_scope() as session:
        return {"groups": unanswered_groups(session, since=since), "days": days,
                "language_names": LANGUAGE_NAMES}


def load_missed(days: int = REPORT_DAYS) -> Dict[str, Any]:
    since = utc_naive() - dt.timedelta(days=days)
    with session_scope() as session:
        return {"missed": missed_answers(session, since=since),
                "ratings": ratings_by_topic(session, since=since), "days": days,
                "language_names": LANGUAGE_NAMES}


def load_replaced(days: int = REPORT_DAYS) -> Dict[str, Any]:
    since = utc_naive() - dt.timedelta(days=days)
    with session_scope() as session:
        return {"rows": served_from_replaced(session, since=since), "days": days}
