"""The service catalogue: what citizens can report, who handles it and the promised time.

Staff edit content/services.yml; `seed_services` copies it into the database so cases can
point at a service row and the console can show it. Every text is per language with English
as the fallback, so a missing translation degrades to English instead of an empty reply.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.answer_fit import EXPECTATIONS, TEXT
from bot.errors import UnknownService
from bot.models import CASE_STATUSES, Service
from bot.options_in_text import QuestionOption
from bot.settings import get_settings

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class ServiceSpec:
    """One service as written in the catalogue file."""

    code: str
    department: str
    sla_working_days: int
    names: Dict[str, str]
    descriptions: Dict[str, str]
    keywords: Dict[str, List[str]] = field(default_factory=dict)
    questions: List[dict] = field(default_factory=list)
    active: bool = True
    asks_for_photos: bool = True


@dataclass(frozen=True)
class ServiceView:
    """A service as shown to a citizen in one language."""

    code: str
    name: str
    description: str
    department: str
    sla_working_days: int


@dataclass(frozen=True)
class FollowupQuestion:
    """A follow-up question in one language; optional ones accept "skip". `expects` says what
    kind of reply answers it (bot.answer_fit): a yes or no, a number, one of the options it
    lists, or any text. `options` are its fixed answers, when it has them (Open311 values)."""

    code: str
    prompt: str
    required: bool = True
    expects: str = TEXT
    options: Tuple[QuestionOption, ...] = ()


@dataclass(frozen=True)
class StatusText:
    """The plain words for a case status and what happens next, in one language: `next_step`
    speaks to the citizen who reported it, `public_notice` to anyone (the Open311 feed)."""

    label: str
    next_step: str
    public_notice: str = ""


def localized(texts: Optional[Mapping[str, object]], language: str) -> object:
    """The text in `language`, else English, else any; "" when there is none."""
    if not texts:
        return ""
    for code in (language, FALLBACK_LANGUAGE):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()))


def load_catalogue(path: Optional[Union[str, Path]] = None) -> List[ServiceSpec]:
    """Read and check the catalogue; a broken file fails the seed, not a citizen's report."""
    raw = read_catalogue(path)
    specs, seen = [], set()
    for item in raw.get("services") or []:
        code = str(item["code"])
        if code in seen:
            raise ValueError(f"service {code!r} appears twice in the catalogue")
        seen.add(code)
        names = dict(item.get("name") or {})
        if FALLBACK_LANGUAGE not in names:
            raise ValueError(f"service {code!r} has no English name")
        questions = [_question(code, question) for question in item.get("questions") or []]
        specs.append(ServiceSpec(
            code=code, department=str(item["department"]),
            sla_working_days=int(item["sla_working_days"]), names=names,
            descriptions=dict(item.get("description") or {}),
            keywords={lang: list(words) for lang, words in (item.get("keywords") or {}).items()},
            questions=questions, active=bool(item.get("active", True)),
            asks_for_photos=bool(item.get("photos", True))))
    return specs


def _question(service: str, item: Mapping) -> dict:
    """A question as stored in Service.questions; English prompt required."""
    prompt = dict(item.get("prompt") or {})
    if not item.get("code") or FALLBACK_LANGUAGE not in prompt:
        raise ValueError(f"a question of service {service!r} lacks a code or English prompt")
    expects = str(item.get("expects") or TEXT)
    if expects not in EXPECTATIONS:
        raise ValueError(f"question {item['code']!r} of service {service!r} expects "
                         f"{expects!r}; use one of {', '.join(EXPECTATIONS)}")
    question = {"code": str(item["code"]), "prompt": prompt,
                "required": bool(item.get("required", True)), "expects": expects}
    # Optional typing (Open311 service definitions offer lists): datatype, values [{key, name}];
    # each value also lists the words that name it in a message.
    if item.get("datatype"):
        question["datatype"] = str(item["datatype"])
    if item.get("values"):
        question["values"] = [_value(service, question["code"], value)
                              for value in item["values"]]
    return question


def _value(service: str, question: str, item: Mapping) -> dict:
    """One of a question's fixed answers: a key, its name per language (the key when it has
    none), and the words that name it per language."""
    if not item.get("key"):
        raise ValueError(f"a value of question {question!r} of service {service!r} has no key")
    words = {str(lang): [str(word) for word in phrases]
             for lang, phrases in (item.get("words") or {}).items()}
    return {"key": str(item["key"]), "name": dict(item.get("name") or {}), "words": words}


def seed_services(session: Session, specs: List[ServiceSpec]) -> int:
    """Insert or update every service from the file; services dropped from it are deactivated,
    never deleted, because existing cases still point at them. Returns how many were written."""
    existing = {service.code: service for service in session.execute(select(Service)).scalars()}
    for order, spec in enumerate(specs):
        service = existing.pop(spec.code, None) or Service(code=spec.code)
        service.department, service.sla_working_days = spec.department, spec.sla_working_days
        service.names, service.descriptions = spec.names, spec.descriptions
        service.keywords, service.questions = spec.keywords, spec.questions
        service.active, service.sort_order = spec.active, order
        service.asks_for_photos = spec.asks_for_photos
        session.add(service)
    for leftover in existing.values():
        leftover.active = False
    session.flush()
    return len(specs)


def list_services(session: Session, language: str) -> List[ServiceView]:
    """Active services in catalogue order, for buttons and the help text."""
    rows = session.execute(
        select(Service).where(Service.active.is_(True)).order_by(Service.sort_order, Service.code)
    ).scalars()
    return [ServiceView(code=row.code, name=service_name(row, language),
                        description=str(localized(row.descriptions, language)),
                        department=row.department, sla_working_days=row.sla_working_days)
            for row in rows]


def get_service(session: Session, code: str) -> Service:
    """The service row for `code`; UnknownService when the catalogue has no such code."""
    service = session.get(Service, (code or "").strip().lower())
    if service is None:
        raise UnknownService(code)
    return service


def service_name(service: Service, language: str) -> str:
    """The name citizens see, e.g. "Pothole"."""
    return str(localized(service.names, language)) or service.code


def followup_questions(service: Service, language: str) -> List[FollowupQuestion]:
    """The service's follow-up questions in order, in `language` (English fallback)."""
    return [FollowupQuestion(code=item["code"], prompt=str(localized(item["prompt"], language)),
                             required=bool(item.get("required", True)),
                             expects=str(item.get("expects") or TEXT),
                             options=_options(item, language))
            for item in service.questions or []]


def _options(question: Mapping, language: str) -> Tuple[QuestionOption, ...]:
    """A question's fixed answers in `language`: names fall back to English like every text;
    words do not, since English words would not name an option in a Dutch message."""
    options = []
    for value in question.get("values") or []:
        name = value.get("name")
        shown = localized(name, language) if isinstance(name, Mapping) else name
        words = (value.get("words") or {}).get(language) or ()
        options.append(QuestionOption(key=str(value["key"]), name=str(shown or value["key"]),
                                      words=tuple(str(word) for word in words)))
    return tuple(options)


def load_statuses(path: Optional[Union[str, Path]] = None) -> Dict[str, dict]:
    """The status catalogue (plain words per status), from the `statuses:` block of the file."""
    statuses = read_catalogue(path).get("statuses") or {}
    missing = set(CASE_STATUSES) - set(statuses)
    if missing:
        raise ValueError(f"the status catalogue lacks {sorted(missing)}")
    return statuses


def status_text(status: str, language: str, statuses: Optional[Dict[str, dict]] = None) -> StatusText:
    """How to describe `status` to a citizen in `language`."""
    entry = (statuses or load_statuses()).get(status) or {}
    return StatusText(label=str(localized(entry.get("label"), language)) or status.replace("_", " "),
                      next_step=str(localized(entry.get("next_step"), language)),
                      public_notice=str(localized(entry.get("public_notice"), language)))


def target_date_text(late: bool, language: str, path: Optional[Union[str, Path]] = None) -> str:
    """What to say about the date promised for an open case, with a {date} placeholder: the
    `target_date:` block's `late` text once it has passed, else `on_time`; "" when the file
    has none."""
    texts = read_catalogue(path).get("target_date") or {}
    return str(localized(texts.get("late" if late else "on_time"), language))


_file_cache: Dict[str, tuple] = {}


def read_catalogue(path: Optional[Union[str, Path]] = None) -> dict:
    """The parsed catalogue file, cached until it changes on disk (staff edit it live)."""
    file = Path(path or get_settings().services_file)
    mtime = file.stat().st_mtime
    cached = _file_cache.get(str(file))
    if cached is None or cached[0] != mtime:
        cached = (mtime, yaml.safe_load(file.read_text(encoding="utf-8")) or {})
        _file_cache[str(file)] = cached
    return cached[1]
