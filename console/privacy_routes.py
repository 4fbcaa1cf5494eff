"""Admin pages for citizens' data rights: export (a JSON download) or delete everything held
about a phone number, Telegram chat id or web chat session. Deletion is two steps: the
first shows what would be touched, the second (with the admin's explicit confirmation)
runs it. Both are audited with the subject's hash: the audit log must not become a list of
the phone numbers people asked us to forget.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw, redirect

from bot import audit, privacy
from bot.db import session_scope
from bot.errors import InvalidInput
from bot.privacy_subject import CHANNELS, Subject, subject_from_input
from console.auth import client_ip, require_role
from console.render import render

blueprint = Blueprint("privacy", url_prefix="/admin/privacy")
CONFIRM_WORD = "DELETE"
NOTICES = {"deleted": "The citizen's data was deleted; the request below is the record of it."}


def _page(request: Request, *, errors: List[str], form: Dict[str, str], http_status: int = 200,
          preview: Any = None) -> HTTPResponse:
    return render(request, "privacy.html", http_status=http_status, errors=errors, form=form,
                  channels=CHANNELS, preview=preview, confirm_word=CONFIRM_WORD,
                  requests=privacy.recent_requests(),
                  notice=NOTICES.get(request.args.get("done", ""), ""))


def _subject(request: Request) -> Subject:
    return subject_from_input(request.form.get("channel") or "", request.form.get("identifier") or "")


def _form(request: Request) -> Dict[str, str]:
    return {"channel": request.form.get("channel") or "", "identifier": request.form.get("identifier") or ""}


def _audit(request: Request, action: str, subject: Subject, after: Dict[str, Any]) -> None:
    with session_scope() as session:
        audit.record(session, actor=request.ctx.staff.username, action=action,
                     target_type="privacy_subject", target_id=subject.hash,
                     before=None, after={"channel": subject.channel, **after}, ip=client_ip(request))


@blueprint.get("")
@require_role("admin")
async def privacy_page(request: Request) -> HTTPResponse:
    return _page(request, errors=[], form={})


@blueprint.post("/export")
@require_role("admin")
async def privacy_export(request: Request) -> HTTPResponse:
    """The whole document as a download, never shown in the page (or cached)."""
    try:
        subject = _subject(request)
    except InvalidInput as exc:
        return _page(request, errors=[str(exc)], form=_form(request), http_status=400)
    document = privacy.export_data(subject, requested_by=request.ctx.staff.username,
                                   tracker_url=privacy.default_tracker_url())
    _audit(request, "privacy.exported", subject, {"request_id": document["request_id"]})
    name = f"privacy-export-{document['request_id']}.json"
    return raw(json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
               content_type="application/json; charset=utf-8",
               headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.post("/delete")
@require_role("admin")
async def privacy_delete(request: Request) -> HTTPResponse:
    """First post: what would be deleted. Second post, with the word typed: delete."""
    try:
        subject = _subject(request)
    except InvalidInput as exc:
        return _page(request, errors=[str(exc)], form=_form(request), http_status=400)
    form = {"channel": subject.channel, "identifier": subject.identifier}
    if (request.form.get("confirm") or "").strip() != CONFIRM_WORD:
        preview = privacy.preview_counts(subject, tracker_url=privacy.default_tracker_url())
        errors = ([f"Type {CONFIRM_WORD} to confirm."] if request.form.get("confirm") is not None else [])
        return _page(request, errors=errors, form=form, preview=preview,
                     http_status=400 if errors else 200)
    result = privacy.delete_data(subject, requested_by=request.ctx.staff.username,
                                 tracker_url=privacy.default_tracker_url())
    _audit(request, "privacy.deleted", subject, {"request_id": result.request_id, **result.summary})
    return redirect("/admin/privacy?done=deleted")
