"""Bulk import and export of the FAQ as YAML (the seed file's shape) or CSV (a spreadsheet).

An import is all or nothing: every row is checked first and, if any is bad, the file is
refused with the row and reason of EVERY problem (FaqImportRejected) and nothing is written.
Only a clean file is applied, inside the caller's single unit of work. Importing the same
file twice changes nothing the second time (unchanged content makes no new version).

CSV: one row per topic; columns `topic`, `state` (optional), `questions_<lang>` (one question
per line in the cell), `answer_<lang>` and `links` (one "Title | https://..." per line).
The header is row 1, so row numbers match what a spreadsheet shows.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import yaml
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import utc_naive
from bot.errors import FaqImportRejected
from bot.faq_content import (FaqContent, clean_content, content_problems, format_links,
                             languages, parse_lines, parse_links, topic_problems)
from bot.faq_store import (STATES, Actor, archive, create_entry, find_by_topic, latest_version,
                           publish, save_version)
from bot.models import FaqEntry

MAX_IMPORT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ImportItem:
    label: str  # "row 3" (CSV) or "entry 2" (YAML): how problems name it
    topic: str
    state: str  # "" = leave the state as it is (new entries start as drafts)
    content: FaqContent


@dataclass(frozen=True)
class ImportResult:
    created: List[str]
    updated: List[str]
    unchanged: List[str]


def csv_columns() -> List[str]:
    columns = ["topic", "state"]
    for language in languages():
        columns += [f"questions_{language}", f"answer_{language}"]
    return columns + ["links"]


def _export_rows(session: Session) -> List[Tuple[FaqEntry, Any]]:
    entries = session.query(FaqEntry).order_by(FaqEntry.topic).all()
    return [(entry, latest_version(entry)) for entry in entries]


def export_yaml(session: Session) -> str:
    """Every entry's latest version, in content/faq.yml's shape plus its state."""
    items = [{"topic": entry.topic, "state": entry.state, "questions": version.questions,
              "answer": version.answers, "links": version.links}
             for entry, version in _export_rows(session)]
    return yaml.safe_dump({"entries": items}, allow_unicode=True, sort_keys=False, width=100)


def export_csv(session: Session) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_columns(), lineterminator="\n")
    writer.writeheader()
    for entry, version in _export_rows(session):
        row = {"topic": entry.topic, "state": entry.state, "links": format_links(version.links)}
        for language in languages():
            row[f"questions_{language}"] = "\n".join((version.questions or {}).get(language) or [])
            row[f"answer_{language}"] = (version.answers or {}).get(language) or ""
        writer.writerow(row)
    return out.getvalue()


def parse_yaml(text: str) -> Tuple[List[ImportItem], List[Tuple[str, str]]]:
    """The file's entries and every problem found in them."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return [], [("file", f"not valid YAML: {str(error).splitlines()[0]}")]
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return [], [("file", "expected a mapping with a list under 'entries'")]
    items, problems = [], []
    for number, raw in enumerate(entries, start=1):
        label = f"entry {number}"
        if not isinstance(raw, dict):
            problems.append((label, "not a mapping with topic, questions, answer"))
            continue
        shape = _yaml_shape_problems(raw)
        if shape:
            problems.extend((label, reason) for reason in shape)
            continue
        content = clean_content(raw.get("questions") or {}, raw.get("answer") or {},
                                raw.get("links") or [])
        items.append(ImportItem(label, str(raw.get("topic") or "").strip(),
                                str(raw.get("state") or "").strip(), content))
    return items, problems


def _yaml_shape_problems(raw: Dict[str, Any]) -> List[str]:
    problems = []
    questions, answers, links = raw.get("questions") or {}, raw.get("answer") or {}, raw.get("links") or []
    if not isinstance(questions, dict) or not all(
            isinstance(texts, list) and all(isinstance(text, str) for text in texts)
            for texts in questions.values()):
        problems.append("questions must map each language to a list of texts")
    if not isinstance(answers, dict) or not all(isinstance(text, str) for text in answers.values()):
        problems.append("answer must map each language to a text")
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        problems.append("links must be a list of {title, url}")
    return problems


def parse_csv(text: str) -> Tuple[List[ImportItem], List[Tuple[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in csv_columns()]
    if "topic" not in header:
        return [], [("row 1", "the header needs a 'topic' column")]
    if unknown:
        return [], [("row 1", f"unknown column(s): {', '.join(unknown)}; expected "
                              f"{', '.join(csv_columns())}")]
    items = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            return items, [(f"row {number}", "more cells than the header has columns")]
        cells = {key.strip(): (value or "") for key, value in row.items()}
        if not any(value.strip() for value in cells.values()):
            continue  # a blank spreadsheet line
        questions = {language: parse_lines(cells.get(f"questions_{language}", ""))
                     for language in languages()}
        answers = {language: cells.get(f"answer_{language}", "") for language in languages()}
        content = clean_content(questions, answers, parse_links(cells.get("links", "")))
        items.append(ImportItem(f"row {number}", cells["topic"].strip(),
                                cells.get("state", "").strip(), content))
    return items, []


def validate(items: List[ImportItem]) -> List[Tuple[str, str]]:
    """Every problem of every item: topic, state, content, and topics repeated in the file."""
    problems: List[Tuple[str, str]] = []
    first_seen: Dict[str, str] = {}
    for item in items:
        reasons = topic_problems(item.topic) + content_problems(item.content)
        if item.state and item.state not in STATES:
            reasons.append(f"state must be one of {', '.join(STATES)} (or empty)")
        if item.topic in first_seen:
            reasons.append(f"topic {item.topic!r} repeats {first_seen[item.topic]}")
        first_seen.setdefault(item.topic, item.label)
        problems.extend((item.label, reason) for reason in reasons)
    return problems


def import_faq(session: Session, text: str, file_format: str, actor: Actor,
               now: Optional[dt.datetime] = None) -> ImportResult:
    """Apply a whole file or nothing: raises FaqImportRejected listing every bad row."""
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise FaqImportRejected([("file", f"larger than {MAX_IMPORT_BYTES // 1024} KB")])
    if file_format not in ("yaml", "csv"):
        raise FaqImportRejected([("file", "the format must be yaml or csv")])
    items, problems = (parse_yaml if file_format == "yaml" else parse_csv)(text)
    problems += validate(items)
    if not items and not problems:
        problems.append(("file", "no entries in the file"))
    if problems:
        raise FaqImportRejected(problems)
    moment = utc_naive(now)
    result = ImportResult([], [], [])
    for item in items:
        _apply(session, item, actor, moment, result)
    # each change is audited on its entry; this row says they came from one file
    audit.record(session, actor=actor.username, action="faq.import", target_type="faq_import",
                 target_id=file_format, before=None,
                 after={"created": result.created, "updated": result.updated,
                        "unchanged": len(result.unchanged)}, ip=actor.ip, now=moment)
    return result


def _apply(session: Session, item: ImportItem, actor: Actor, moment: dt.datetime,
           result: ImportResult) -> None:
    entry = find_by_topic(session, item.topic)
    changed = entry is None
    if entry is None:
        entry = create_entry(session, item.topic, item.content, actor, now=moment)
        result.created.append(item.topic)
    elif _differs(latest_version(entry), item.content):
        save_version(session, entry.id, item.content, actor, now=moment)
        result.updated.append(item.topic)
        changed = True
    # "published" in the file makes the imported content live; re-importing an export does
    # not publish a draft the team saved after the export.
    if item.state == "published" and (changed or entry.state != "published"):
        publish(session, entry.id, actor, now=moment)
        changed = True
    elif item.state == "archived" and entry.state != "archived":
        archive(session, entry.id, actor, now=moment)
        changed = True
    if not changed:
        result.unchanged.append(item.topic)
    elif item.topic not in result.created + result.updated:
        result.updated.append(item.topic)


def _differs(version: Any, content: FaqContent) -> bool:
    stored = clean_content(version.questions or {}, version.answers or {}, version.links or [])
    return stored != content
