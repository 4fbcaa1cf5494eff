"""Who may see which case in the console: the one rule every case route uses.

A caseworker works for one department and sees only the cases of services routed to it;
an admin sees every case; the communications team edits policy answers and sees no cases.
Routes answer "not found" for a case the caller may not see, so a reference from another
department does not even reveal that the case exists.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import false, select, true
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Case, Service

__all__ = ["can_see_case", "visible_cases", "restrict_to_visible", "can_change_cases"]

ALL_CASES_ROLES = ("admin",)
DEPARTMENT_ROLES = ("caseworker",)


def can_see_case(role: str, department: Optional[str], case: Case) -> bool:
    """Whether staff with this role and department may open `case`."""
    if role in ALL_CASES_ROLES:
        return True
    if role in DEPARTMENT_ROLES:
        return bool(department) and case.service is not None \
            and case.service.department == department
    return False


def can_change_cases(role: str) -> bool:
    """Whether the role may change statuses and merge (on the cases it can see)."""
    return role in ALL_CASES_ROLES + DEPARTMENT_ROLES


def visible_cases(role: str, department: Optional[str]) -> ColumnElement:
    """A WHERE clause on Case matching exactly the cases `can_see_case` allows.

    Department is matched through the service catalogue (a subquery, so the clause works in
    any select of Case without an explicit join).
    """
    if role in ALL_CASES_ROLES:
        return true()
    if role in DEPARTMENT_ROLES and department:
        return Case.service_code.in_(select(Service.code).where(Service.department == department))
    return false()


def restrict_to_visible(query: Select, role: str, department: Optional[str]) -> Select:
    """`query` (a select of Case) limited to the cases this member of staff may see."""
    return query.where(visible_cases(role, department))
