"""The feedback inbox: the communications team (and admins) read what citizens told the city,
mark it handled, and answer it on the citizen's own channel (bot.feedback_inbox).

Plain forms with a redirect after each POST (a reload never posts twice); every answer and
every "handled" is audited with the change. The list opens on what is still to be read.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from bot import feedback_inbox as inbox
from bot.clock import utc_naive
from bot.db import session_scope
from bot.errors import DatabaseUnavailable, FeedbackNotFound, InvalidInput
from console.auth import client_ip, require_role
from console.errors import answering_errors, sentence
from console.render import render

blueprint = Blueprint("feedback", url_prefix="/feedback")
ROLES = ("comms", "admin")
SUMMARY_DAYS = 30  # the ratings at the top of the inbox are this recent
MAX_PAGE = 10_000
NOTICES = {"replied": "Answer queued for sending to the citizen. The feedback is marked handled.",
           "handled": "Marked handled."}
STATUS_OF = {FeedbackNotFound: 404, InvalidInput: 400, DatabaseUnavailable: 503}
STATUS_CHOICES = [(inbox.HANDLED, "Handled"), (inbox.ALL, "All")]  # else: not handled yet
RATING_CHOICES = [(inbox.LOW, "1 or 2 stars"), (inbox.HIGH, "4 or 5 stars"),
                  (inbox.UNRATED, "No rating")]


async def _error_page(request: Request, feedback_id: Any, error: Exception,
                      status: int) -> HTTPResponse:
    return render(request, "feedback_error.html", http_status=status,
                  message=sentence(str(error)) if status == 400 else
                  "That feedback does not exist." if status == 404 else
                  "The database cannot be reached; nothing was saved. Try again shortly.")


def _filters(request: Request) -> Dict[str, Any]:
    """The list's filters from the query string; unknown values are refused by the core."""
    page = request.args.get("page", "1")
    return {"status": request.args.get("status") or inbox.OPEN,
            "rating": request.args.get("rating") or None,
            "page": min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1}


def _page_url(filters: Dict[str, Any], page: int) -> str:
    query = {name: value for name, value in filters.items() if value and name != "page"}
    return "/feedback?" + urlencode({**query, "page": page})


@blueprint.get("")
@require_role(*ROLES)
@answering_errors(STATUS_OF, _error_page)
async def feedback_list(request: Request) -> HTTPResponse:
    filters = _filters(request)
    since = utc_naive() - dt.timedelta(days=SUMMARY_DAYS)
    with session_scope() as session:
        rows = inbox.list_feedback(session, **filters)
        total = inbox.count_feedback(session, status=filters["status"], rating=filters["rating"])
        overview = inbox.summary(session, since=since)
    pages = max(1, -(-total // inbox.PAGE_SIZE))
    return render(request, "feedback_list.html", rows=rows, total=total, filters=filters,
                  pages=pages, summary=overview, summary_days=SUMMARY_DAYS,
                  status_choices=STATUS_CHOICES, rating_choices=RATING_CHOICES,
                  previous_url=_page_url(filters, filters["page"] - 1)
                  if filters["page"] > 1 else None,
                  next_url=_page_url(filters, filters["page"] + 1)
                  if filters["page"] < pages else None)


def _detail(request: Request, feedback_id: int, *, errors: List[str], answer: str = "",
            http_status: int = 200) -> HTTPResponse:
    with session_scope() as session:
        item = inbox.get_feedback(session, feedback_id)
        refused: Optional[str] = inbox.why_no_reply(session, feedback_id)
    return render(request, "feedback.html", http_status=http_status, item=item,
                  refused=refused, errors=errors, answer=answer,
                  max_reply=inbox.MAX_REPLY_CHARS,
                  notice=NOTICES.get(request.args.get("done", ""), ""))


@blueprint.get("/<feedback_id:int>")
@require_role(*ROLES)
@answering_errors(STATUS_OF, _error_page, key="feedback_id")
async def feedback_detail(request: Request, feedback_id: int) -> HTTPResponse:
    return _detail(request, feedback_id, errors=[])


@blueprint.post("/<feedback_id:int>/reply")
@require_role(*ROLES)
@answering_errors(STATUS_OF, _error_page, key="feedback_id")
async def feedback_reply(request: Request, feedback_id: int) -> HTTPResponse:
    """Queue the answer; a refusal comes back on the page with what was typed."""
    answer = (request.form.get("reply") or "")[:inbox.MAX_REPLY_CHARS * 4]
    try:
        with session_scope() as session:
            inbox.reply(session, feedback_id, answer, by=request.ctx.staff.username,
                        ip=client_ip(request))
    except InvalidInput as exc:
        return _detail(request, feedback_id, errors=[sentence(str(exc))], answer=answer,
                       http_status=400)
    return redirect(f"/feedback/{feedback_id}?done=replied", status=303)


@blueprint.post("/<feedback_id:int>/handled")
@require_role(*ROLES)
@answering_errors(STATUS_OF, _error_page, key="feedback_id")
async def feedback_handled(request: Request, feedback_id: int) -> HTTPResponse:
    with session_scope() as session:
        inbox.mark_handled(session, feedback_id, by=request.ctx.staff.username,
                           ip=client_ip(request))
    return redirect(f"/feedback/{feedback_id}?done=handled", status=303)
