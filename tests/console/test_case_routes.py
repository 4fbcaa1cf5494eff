"""console/case_routes.py against a running console (`python -m console`): the list and the
case page show only what the role and department allow (another department's case is a 404,
indistinguishable from a missing one), status changes need a reason and an allowed move, reach
the citizens through the outbox, are audited and tell Rasa about the fix question; merges and
photos are checked the same way. Citizens' notes and questions to them: test_case_notes_routes.py."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Dict

import httpx
import pytest
from sqlalchemy import select

from bot.attachments import store_attachment
from bot.db import session_scope
from bot.followers import follow_case
from bot.models import Case, CaseFollower
from bot.settings import get_settings
from tests.console.case_console import (FakeRasa, audits, console, fake_rasa,  # noqa: F401
                                        new_case, outbox, people, post, reload,
                                        spanish_case_with_dutch_follower)
from tests.console.harness import ConsoleServer

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35"
       b"\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_the_list_shows_a_caseworker_only_their_department(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    street = "Lst" + uuid.uuid4().hex[:6]
    pothole = new_case(console, address=f"1 {street} Rd")
    litter = new_case(console, service_code="litter", address=f"2 {street} Rd")
    highways = people["highways"].get("/cases", params={"area": street})
    assert highways.status_code == 200
    assert pothole.reference in highways.text and litter.reference not in highways.text
    admin = people["admin"].get("/cases", params={"area": street, "sort": "oldest"})
    assert pothole.reference in admin.text and litter.reference in admin.text
    filtered = people["admin"].get("/cases", params={"area": street, "service": "litter"})
    assert litter.reference in filtered.text and pothole.reference not in filtered.text
    paged = people["admin"].get("/cases", params={"area": street, "per_page": "1",
                                                  "sort": "oldest"})
    assert pothole.reference in paged.text and litter.reference not in paged.text
    assert f'href="/cases?area={street}&amp;sort=oldest&amp;per_page=1&amp;page=2"' in paged.text
    # a Waste caseworker asking for Highways cases still sees only their own
    waste = people["waste"].get("/cases", params={"area": street, "department": "Highways"})
    assert litter.reference in waste.text and pothole.reference not in waste.text


def test_the_list_badges_overdue_and_not_fixed_cases(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    street = "Bdg" + uuid.uuid4().hex[:6]
    overdue = new_case(console, address=f"3 {street} Rd", now=dt.datetime(2025, 1, 6, 9, 0))
    with session_scope(console.database_url) as session:
        session.get(Case, overdue.id).fix_confirmation = "not_fixed"
    page = people["highways"].get("/cases", params={"area": street, "overdue": "1",
                                                    "attention": "1"})
    assert overdue.reference in page.text
    assert "Overdue</span>" in page.text and "Needs attention" in page.text


@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("comms", 403)])
def test_the_list_is_for_caseworkers_and_admins(console: ConsoleServer,
                                                people: Dict[str, httpx.Client], who: str,
                                                expected: int) -> None:
    if who == "anonymous":
        with httpx.Client(base_url=console.url, follow_redirects=False) as anonymous:
            assert anonymous.get("/cases").status_code == expected
    else:
        assert people[who].get("/cases").status_code == expected


def test_the_case_page_shows_location_history_and_people(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = new_case(console)
    with session_scope(console.database_url) as session:
        follow_case(session, session.get(Case, case.id), channel="sms", sender_id="+441632960555",
                    contact="+441632960555", language="pt")
    page = people["highways"].get(f"/cases/{case.reference}")
    assert page.status_code == 200
    assert "12 High St" in page.text and "51.501234, -0.123456" in page.text
    assert ('href="https://www.openstreetmap.org/?mlat=51.501234&amp;mlon=-0.123456'
            '#map=18/51.501234/-0.123456"') in page.text
    assert "Deep pothole by the bus stop" in page.text and "created" in page.text
    assert "•••0555" in page.text and "+441632960555" not in page.text
    assert "<script" not in page.text.split("</footer>")[0]  # no external map, no inline JS
    assert people["admin"].get(f"/cases/{case.reference.lower()}").status_code == 200


def test_another_departments_case_is_not_found_like_a_missing_one(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = new_case(console)
    theirs = people["waste"].get(f"/cases/{case.reference}")
    missing = people["waste"].get("/cases/C-2099-999999")
    malformed = people["waste"].get("/cases/not-a-reference")
    assert theirs.status_code == missing.status_code == malformed.status_code == 404
    assert case.reference not in theirs.text and "pothole" not in theirs.text.lower()
    assert post(people["waste"], f"/cases/{case.reference}/status", status="resolved",
                reason="x").status_code == 404
    assert reload(console, case.reference).status == "new"


def test_a_status_change_reaches_the_citizens_and_is_audited(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = spanish_case_with_dutch_follower(console, "5550001")
    answer = post(people["highways"], f"/cases/{case.reference}/status", status="referred",
                  seen_status="new", reason="This road belongs to the county; contact 0300 123")
    assert answer.status_code == 303 and answer.headers["location"].endswith("?notice=status")
    assert reload(console, case.reference).status == "referred"
    sent = {message.language: message for message in outbox(console, case.id)}
    assert set(sent) == {"es", "nl"}
    assert sent["es"].body.startswith(f"Novedades de su aviso {case.reference} (Bache): derivado")
    assert sent["nl"].channel == "telegram" and "die u volgt" in sent["nl"].body
    assert all("belongs to the county; contact 0300 123." in m.body for m in sent.values())
    [entry] = audits(console, case.reference)
    assert (entry.action, entry.before["status"], entry.after["status"]) == (
        "case.status_changed", "new", "referred")
    assert entry.after["reason"].startswith("This road") and entry.after["messages"] == 2
    history = people["highways"].get(f"/cases/{case.reference}?notice=status").text
    assert "This road belongs to the county" in history and "Status changed" in history


def test_a_standard_reason_reaches_each_citizen_in_their_own_language(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = spanish_case_with_dutch_follower(console, "5550002")
    page = people["highways"].get(f"/cases/{case.reference}").text
    assert "Sent to the reporter (reads Spanish) and 1 follower (reads Dutch)." in page
    assert 'value="utility_company"' in page and "It belongs to a utility company" in page
    answer = post(people["highways"], f"/cases/{case.reference}/status", status="referred",
                  seen_status="new", reason_code="utility_company", reason="Ref. 88-41")
    assert answer.status_code == 303
    sent = {message.language: message.body for message in outbox(console, case.id)}
    assert "Pertenece a una compañía de suministros (agua, gas, electricidad o " \
           "telecomunicaciones). Ref. 88-41." in sent["es"]
    assert "Het is van een nutsbedrijf (water, gas, elektriciteit of telecom). Ref. 88-41." \
        in sent["nl"]
    [entry] = audits(console, case.reference)
    assert (entry.after["reason_code"], entry.after["reason"]) == ("utility_company", "Ref. 88-41")
    history = people["highways"].get(f"/cases/{case.reference}").text
    assert "It belongs to a utility company (water, gas, electricity or telecoms). Ref. 88-41" \
        in history


def test_a_standard_reason_for_another_status_is_refused_with_the_form_kept(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = new_case(console)
    answer = post(people["highways"], f"/cases/{case.reference}/status", status="referred",
                  reason_code="repaired", reason="crew 4")
    assert answer.status_code == 400
    assert "does not fit the status" in answer.text and ">crew 4</textarea>" in answer.text
    assert reload(console, case.reference).status == "new"
    assert outbox(console, case.id) == [] and audits(console, case.reference) == []


def test_nobody_told_is_said_on_the_case_page(console: ConsoleServer,
                                              people: Dict[str, httpx.Client]) -> None:
    case = new_case(console, consent=False)
    page = people["highways"].get(f"/cases/{case.reference}").text
    assert "Nobody is sent a message: the reporter did not ask for updates" in page


@pytest.mark.parametrize("form, expected", [
    ({"status": "acknowledged", "reason": "   "}, 400),
    ({"status": "acknowledged", "reason_code": "no_such_reason"}, 400),
    ({"status": "new", "reason": "back to the start"}, 409),
    ({"status": "teleported", "reason": "why not"}, 400),
    ({"status": "acknowledged", "reason": "seen", "seen_status": "in_progress"}, 409),
])
def test_refused_changes_change_nothing_and_say_why(
        console: ConsoleServer, people: Dict[str, httpx.Client], form: Dict[str, str],
        expected: int) -> None:
    case = new_case(console)
    answer = post(people["highways"], f"/cases/{case.reference}/status", **form)
    assert answer.status_code == expected
    assert "That change was not made" in answer.text
    assert reload(console, case.reference).status == "new"
    assert outbox(console, case.id) == [] and audits(console, case.reference) == []


def test_a_change_without_the_csrf_token_is_refused(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = new_case(console)
    answer = people["highways"].post(f"/cases/{case.reference}/status",
                                     data={"status": "acknowledged", "reason": "seen"})
    assert answer.status_code == 403 and reload(console, case.reference).status == "new"


def test_resolved_asks_the_citizen_and_tells_rasa_which_case(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    case = new_case(console)
    answer = post(people["highways"], f"/cases/{case.reference}/status", status="resolved",
                  reason="Filled and rolled")
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=status")
    assert reload(console, case.reference).fix_confirmation == "asked"
    [message] = outbox(console, case.id)
    assert "Is it really fixed? Reply yes or no" in message.body
    assert (f"/conversations/{case.sender_id}/tracker/events",
            {"event": "slot", "name": "pending_fix_case", "value": case.reference}) \
        in FakeRasa.received


def test_resolved_is_kept_when_rasa_fails(console: ConsoleServer,
                                          people: Dict[str, httpx.Client]) -> None:
    case = new_case(console, sender_id=f"rasa-down-{uuid.uuid4().hex[:8]}")
    answer = post(people["highways"], f"/cases/{case.reference}/status", status="resolved",
                  reason="Filled")
    assert answer.status_code == 303 and answer.headers["location"].endswith("status_rasa")
    assert reload(console, case.reference).status == "resolved"
    assert len(outbox(console, case.id)) == 1


def test_merge_moves_the_citizens_and_is_audited(console: ConsoleServer,
                                                 people: Dict[str, httpx.Client]) -> None:
    target, source = new_case(console), new_case(console, language="pt")
    answer = post(people["highways"], f"/cases/{source.reference}/merge",
                  target=target.reference.lower(), merge_reason="Same hole")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{target.reference}?notice=merged"
    merged = reload(console, source.reference)
    assert (merged.status, merged.merged_into_id) == ("duplicate", target.id)
    with session_scope(console.database_url) as session:
        followers = session.execute(select(CaseFollower.sender_id)
                                    .where(CaseFollower.case_id == target.id)).scalars().all()
    assert followers == [source.sender_id]
    [told] = outbox(console, source.id)
    assert f"o pedido {target.reference}" in told.body
    [entry] = audits(console, source.reference)
    assert entry.action == "case.merged" and entry.after["merged_into"] == target.reference
    page = people["highways"].get(f"/cases/{target.reference}").text
    assert source.reference in page and "merged into this case" in page


def test_merge_with_a_standard_reason_is_audited_with_it(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    target, source = new_case(console), new_case(console, language="nl")
    page = people["highways"].get(f"/cases/{source.reference}").text
    assert 'name="merge_reason_code"' in page and "Both reports are about the same spot." in page
    answer = post(people["highways"], f"/cases/{source.reference}/merge",
                  target=target.reference, merge_reason_code="same_spot")
    assert answer.status_code == 303
    [told] = outbox(console, source.id)
    assert "Beide meldingen gaan over dezelfde plek." in told.body
    [entry] = audits(console, source.reference)
    assert (entry.after["reason_code"], entry.after["reason"]) == ("same_spot", "")


def test_merge_into_a_case_the_caseworker_cannot_see_is_refused(
        console: ConsoleServer, people: Dict[str, httpx.Client]) -> None:
    source, elsewhere = new_case(console), new_case(console, service_code="litter")
    answer = post(people["highways"], f"/cases/{source.reference}/merge",
                  target=elsewhere.reference, merge_reason="Same")
    assert answer.status_code == 400 and "that you can open" in answer.text
    assert reload(console, source.reference).status == "new"


def test_photos_are_served_only_through_a_case_the_caller_may_see(
        console: ConsoleServer, people: Dict[str, httpx.Client],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "attachments_dir", console.attachments_dir)  # type: ignore[attr-defined]
    sender = f"citizen-{uuid.uuid4().hex[:10]}"
    with session_scope(console.database_url) as session:
        photo = store_attachment(session, sender_id=sender, channel="webchat", data=PNG,
                                 content_type="image/png", filename="hole.png")
    case = new_case(console, sender_id=sender, attachment_ids=[photo.id])
    other = new_case(console)
    path = f"/cases/{case.reference}/photos/{photo.id}"
    mine = people["highways"].get(path)
    assert mine.status_code == 200 and mine.content == PNG
    assert mine.headers["content-type"] == "image/png"
    assert f'src="{path}"' in people["highways"].get(f"/cases/{case.reference}").text
    assert people["waste"].get(path).status_code == 404
    assert people["highways"].get(f"/cases/{other.reference}/photos/{photo.id}").status_code == 404
    assert httpx.get(console.url + path).status_code in (302, 401)


def test_who_is_told_names_each_audience_and_the_languages_they_read() -> None:
    from bot.notifications import Recipient
    from console.case_views import who_is_told

    def person(audience: str, language: str) -> Recipient:
        return Recipient("sms", "+44", "+44", language, audience, "")

    assert who_is_told([person("reporter", "pt"), person("follower", "nl"),
                        person("follower", "en"), person("follower", "nl")]) == (
        "Sent to the reporter (reads Portuguese) and 3 followers (read Dutch, English).")
    assert who_is_told([person("follower", "es")]) == "Sent to 1 follower (reads Spanish)."
