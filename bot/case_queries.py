"""The caseworker's view of cases: the filtered, searchable, paged list.

Everything is read through bot.case_access, so a caseworker's list holds only their
department's cases whatever filters they type. "Overdue" is judged in the city's time zone
against the SLA date promised to the citizen (Case.expected_by), for open cases only;
"needs attention" is a citizen saying a resolved case is not fixed, or a citizen having added
to a case since a caseworker last acted on it (bot.case_notes).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.case_access import visible_cases
from bot.case_notes import (SAYS_FIXED_KIND, cases_with_unanswered_notes,
                            unanswered_note_clause)
from bot.cases import OPEN_STATUSES
from bot.city import load_city
from bot.clock import as_utc, utc_naive
from bot.duplicates import ABBREVIATIONS
from bot.errors import MalformedReference
from bot.fix_confirmation import NOT_FIXED
from bot.followers import follower_counts
from bot.models import CASE_STATUSES, Case, Service
from bot.references import parse_reference
from bot.services import service_name, status_text

__all__ = ["CaseFilters", "CaseRow", "CasePage", "list_cases", "local_today", "is_overdue",
           "attention_reason", "SORTS", "PER_PAGE"]

PER_PAGE, MAX_PER_PAGE = 25, 100
SORTS = {
    "newest": (Case.created_at.desc(), Case.id.desc()),
    "oldest": (Case.created_at.asc(), Case.id.asc()),
    "due": (Case.expected_by.is_(None), Case.expected_by.asc(), Case.id.asc()),
    "updated": (Case.updated_at.desc(), Case.id.desc()),
}


@dataclass(frozen=True)
class CaseFilters:
    """What the caseworker asked for on the list page (all optional)."""

    service: Optional[str] = None
    statuses: Tuple[str, ...] = ()
    department: Optional[str] = None
    area: Optional[str] = None  # words that must all appear in the address
    older_than_days: Optional[int] = None
    newer_than_days: Optional[int] = None
    overdue: bool = False
    needs_attention: bool = False
    text: Optional[str] = None  # reference, description or address
    sort: str = "newest"
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_query(cls, args: Mapping[str, Sequence[str]]) -> "CaseFilters":
        """From GET parameters (name -> list of values). Values that make no sense are
        dropped rather than refused: a list page should always show something."""
        def first(name: str) -> Optional[str]:
            values = [str(value).strip() for value in (args.get(name) or []) if str(value).strip()]
            return values[0] if values else None

        statuses = [value for value in args.get("status") or [] if value in CASE_STATUSES]
        if "open" in (args.get("status") or []):
            statuses += [status for status in OPEN_STATUSES if status not in statuses]
        return cls(service=first("service"), statuses=tuple(statuses),
                   department=first("department"), area=first("area"),
                   older_than_days=_number(first("older_than")),
                   newer_than_days=_number(first("newer_than")),
                   overdue=first("overdue") in ("1", "on", "true"),
                   needs_attention=first("attention") in ("1", "on", "true"),
                   text=first("q"), sort=first("sort") if first("sort") in SORTS else "newest",
                   page=max(1, _number(first("page")) or 1),
                   per_page=min(MAX_PER_PAGE, max(1, _number(first("per_page")) or PER_PAGE)))


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    reference: str
    service_code: str
    service: str
    department: str
    status: str
    status_label: str
    address: Optional[str]
    created_at: dt.datetime  # in the city's zone
    age_days: int
    expected_by: Optional[dt.date]
    overdue: bool
    attention: str  # attention_reason: why a caseworker should look, or ""
    followers: int
    merged_into: Optional[str] = None  # the reference a duplicate points at


@dataclass(frozen=True)
class CasePage:
    """A page of the list, with what is needed to link to the other pages."""

    rows: List[CaseRow]
    total: int
    filters: CaseFilters
    pages: int = field(default=1)

    def page_filters(self, page: int) -> CaseFilters:
        """The same filters on another page (for the pager links)."""
        return replace(self.filters, page=page)


def local_today(now: Optional[dt.datetime] = None) -> dt.date:
    """Today's date in the city (SLA dates are city dates)."""
    return as_utc(utc_naive(now)).astimezone(load_city().zone).date()


def is_overdue(case: Case, today: dt.date) -> bool:
    """Open and past the date promised to the citizen (the promised day itself is on time)."""
    return case.status in OPEN_STATUSES and case.expected_by is not None \
        and case.expected_by < today


def list_cases(session: Session, role: str, department: Optional[str], filters: CaseFilters,
               now: Optional[dt.datetime] = None) -> CasePage:
    """The cases this member of staff may see that match `filters`, one page of them."""
    moment = utc_naive(now)
    today = local_today(moment)
    conditions = [visible_cases(role, department)] + _conditions(filters, moment, today)
    total = session.execute(select(func.count(Case.id)).where(*conditions)).scalar_one()
    pages = max(1, math.ceil(total / filters.per_page))
    page = min(filters.page, pages)
    query = (select(Case).where(*conditions).order_by(*SORTS[filters.sort])
             .offset((page - 1) * filters.per_page).limit(filters.per_page))
    cases = list(session.execute(query).scalars())
    counts = follower_counts(session, [case.id for case in cases])
    targets = _references(session, [case.merged_into_id for case in cases if case.merged_into_id])
    noted = cases_with_unanswered_notes(session, [case.id for case in cases])
    rows = [_row(case, today, counts.get(case.id, 0), targets.get(case.merged_into_id),
                 noted.get(case.id))
            for case in cases]
    return CasePage(rows=rows, total=total, filters=replace(filters, page=page), pages=pages)


def _conditions(filters: CaseFilters, moment: dt.datetime, today: dt.date) -> List[ColumnElement]:
    """The WHERE clauses for the filters, in SQL so paging and counts stay right."""
    found: List[ColumnElement] = []
    if filters.service:
        found.append(Case.service_code == filters.service)
    if filters.statuses:
        found.append(Case.status.in_(filters.statuses))
    if filters.department:
        found.append(Case.service_code.in_(
            select(Service.code).where(Service.department == filters.department)))
    for word in (filters.area or "").split():
        found.append(_address_word(word))
    if filters.older_than_days is not None:
        found.append(Case.created_at <= moment - dt.timedelta(days=filters.older_than_days))
    if filters.newer_than_days is not None:
        found.append(Case.created_at >= moment - dt.timedelta(days=filters.newer_than_days))
    if filters.overdue:
        found.append(and_(Case.status.in_(OPEN_STATUSES), Case.expected_by < today))
    if filters.needs_attention:
        found.append(or_(Case.fix_confirmation == NOT_FIXED, unanswered_note_clause()))
    if filters.text:
        found.append(_text_search(filters.text))
    return found


def _address_word(word: str) -> ColumnElement:
    """The address holds `word`, or the same street word spelt the other way: "rd" finds
    "Road" (anywhere), "road" finds "Rd" as a word of its own (so "st" is not "Stanley").
    A house number is matched as a whole word too: "7" is not 17 or 70."""
    lowered = word.lower().strip(".,")
    if lowered.isdigit():
        return _whole_word(lowered)
    options = [Case.address.ilike(_like(word), escape="\\")]
    if lowered in ABBREVIATIONS:
        options.append(Case.address.ilike(_like(ABBREVIATIONS[lowered]), escape="\\"))
    options += [_whole_word(short) for short, long in ABBREVIATIONS.items() if long == lowered]
    return or_(*options)


def _whole_word(word: str) -> ColumnElement:
    """`word` (letters or digits only) as a word of the address, before a space, comma or dot."""
    patterns = [word, f"{word} %", f"{word},%", f"% {word}", f"% {word} %", f"% {word},%",
                f"% {word}.%", f"%,{word} %", f"%,{word},%", f"%,{word}"]
    return or_(*[Case.address.ilike(pattern) for pattern in patterns])


def _text_search(text: str) -> ColumnElement:
    """Reference (loosely typed, e.g. "c 2026 123"), description or address."""
    pattern = _like(text)
    options = [Case.reference.ilike(pattern, escape="\\"),
               Case.description.ilike(pattern, escape="\\"),
               Case.address.ilike(pattern, escape="\\")]
    try:
        reference = parse_reference(text)
    except MalformedReference:
        reference = None
    if reference:
        options.append(Case.reference == reference)
    return or_(*options)


def _like(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere (%, _ and \\ escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _references(session: Session, case_ids: List[int]) -> Dict[int, str]:
    """id -> reference for the cases that duplicates on the page point at (one query)."""
    if not case_ids:
        return {}
    return dict(session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids))).all())


def attention_reason(case: Case, unanswered_note: Union[bool, str, None]) -> str:
    """Why a case needs a caseworker's attention, in the console's words; "" when it does not.
    `unanswered_note` is whether a citizen's note waits, or its kind (case page)."""
    if case.fix_confirmation == NOT_FIXED:
        return "citizen says not fixed"
    # a note on a merged case flags the case it was merged into (bot.case_notes)
    if not unanswered_note or case.merged_into_id is not None:
        return ""
    return "citizen says it is fixed" if unanswered_note == SAYS_FIXED_KIND \
        else "citizen added information"


def _row(case: Case, today: dt.date, followers: int, merged_into: Optional[str],
         unanswered_note: Optional[str]) -> CaseRow:
    created = as_utc(case.created_at).astimezone(load_city().zone)
    return CaseRow(reference=case.reference, service_code=case.service_code,
                   service=service_name(case.service, "en"), department=case.service.department,
                   status=case.status, status_label=status_text(case.status, "en").label,
                   address=case.address, created_at=created,
                   age_days=(today - created.date()).days, expected_by=case.expected_by,
                   overdue=is_overdue(case, today),
                   attention=attention_reason(case, unanswered_note), followers=followers,
                   merged_into=merged_into)


def _number(text: Optional[str]) -> Optional[int]:
    """A non-negative whole number from a form field, or None."""
    if text is None or not text.isdigit():
        return None
    return int(text)


def departments(session: Session) -> List[str]:
    """Every department of the catalogue, for the filter's drop-down."""
    return sorted(set(session.execute(select(Service.department)).scalars()))


def filter_choices(session: Session) -> Dict[str, List[Tuple[str, str]]]:
    """Options of the filter form: services (code, name) and statuses (code, label)."""
    services = session.execute(select(Service).order_by(Service.sort_order, Service.code)).scalars()
    return {"services": [(service.code, service_name(service, "en")) for service in services],
            "statuses": [(status, status_text(status, "en").label) for status in CASE_STATUSES],
            "departments": [(name, name) for name in departments(session)],
            "sorts": [(key, key) for key in SORTS]}
