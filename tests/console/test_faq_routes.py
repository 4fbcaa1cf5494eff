"""FAQ pages of the console against a running `python -m console`: the comms team creates,
edits, previews, publishes, archives, reverts, imports and exports; the reports read the
answer log; pages carry no inline script or style (CSP)."""
from __future__ import annotations

import re
from typing import Callable, Tuple

import httpx
import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.faq import find_answer
from bot.faq_log import answer_question, rate_answer
from bot.models import AuditEntry, FaqEntry
from tests.console.harness import ConsoleServer

FERRY = {"topic": "river-ferry", "questions_en": "when does the river ferry sail\nferry times",
         "answer_en": "The ferry sails hourly from 7am.", "questions_es": "horario del ferry",
         "answer_es": "", "links": "Ferry timetable | https://www.riverton.example.gov/ferry"}


@pytest.fixture
def comms(console_server: ConsoleServer, make_staff: Callable[..., Tuple[str, str]],
          staff_client: Callable[..., httpx.Client]) -> httpx.Client:
    return staff_client(console_server, *make_staff(console_server.database_url, "comms"))


def _post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": client.csrf, **data})  # type: ignore[attr-defined]


def _create(client: httpx.Client, **changes: str) -> int:
    response = _post(client, "/faq", **{**FERRY, **changes})
    assert response.status_code == 303, response.text
    return int(re.match(r"/faq/(\d+)\?notice=created", response.headers["location"]).group(1))


def _entry(database_url: str, entry_id: int) -> FaqEntry:
    with session_scope(database_url) as session:
        entry = session.get(FaqEntry, entry_id)
        session.expunge(entry)
        return entry


def test_comms_creates_a_draft_shown_with_its_completeness(comms: httpx.Client,
                                                           console_server: ConsoleServer) -> None:
    entry_id = _create(comms)
    entry = _entry(console_server.database_url, entry_id)
    assert (entry.state, entry.current_version, entry.published_version) == ("draft", 1, None)
    listing = comms.get("/faq").text
    row = re.search(r'<tr data-topic="river-ferry">.*?</tr>', listing, re.S).group(0)
    assert "draft" in row and "es: no answer" in row and "pt: no questions, no answer" in row
    with session_scope(console_server.database_url) as session:
        audit = session.execute(select(AuditEntry).where(AuditEntry.action == "faq.create")).scalar_one()
        assert audit.actor.startswith("comms-") and audit.target_id == str(entry_id)


def test_invalid_entry_is_refused_with_every_problem_and_the_typing_kept(comms: httpx.Client) -> None:
    response = _post(comms, "/faq", **{**FERRY, "topic": "Bad Topic", "answer_en": "",
                                      "links": "Ferry | not-a-url"})
    assert response.status_code == 400
    for problem in ("lowercase letters", "an English answer is required", "link 1 needs a URL"):
        assert problem in response.text
    assert "when does the river ferry sail" in response.text


def test_edit_publish_archive_and_revert(comms: httpx.Client, console_server: ConsoleServer) -> None:
    entry_id, db = _create(comms), console_server.database_url
    assert _post(comms, f"/faq/{entry_id}/publish", version="1").status_code == 303
    saved = _post(comms, f"/faq/{entry_id}", **{**FERRY, "answer_en": "No ferry until spring.",
                                               "seen_version": "1"})
    assert saved.status_code == 303
    entry = _entry(db, entry_id)
    assert (entry.state, entry.current_version, entry.published_version) == ("published", 2, 1)
    with session_scope(db) as session:
        assert find_answer(session, "ferry times", "en").answer == "The ferry sails hourly from 7am."
    page = comms.get(f"/faq/{entry_id}").text
    assert "unpublished changes" in page and "citizens get version <strong>1</strong>" in page
    assert _post(comms, f"/faq/{entry_id}/publish", version="2").status_code == 303
    with session_scope(db) as session:
        assert find_answer(session, "ferry times", "en").answer == "No ferry until spring."
    assert _post(comms, f"/faq/{entry_id}/revert", version="1").status_code == 303
    history = comms.get(f"/faq/{entry_id}/versions").text
    assert all(f'id="version-{n}"' in history for n in (1, 2, 3))
    assert _entry(db, entry_id).current_version == 3
    assert _post(comms, f"/faq/{entry_id}/archive").status_code == 303
    with session_scope(db) as session:
        assert find_answer(session, "ferry times", "en") is None


def test_a_stale_form_does_not_overwrite_a_colleagues_version(comms: httpx.Client,
                                                            console_server: ConsoleServer) -> None:
    entry_id = _create(comms)
    assert _post(comms, f"/faq/{entry_id}", **{**FERRY, "seen_version": "1"}).status_code == 303
    stale = _post(comms, f"/faq/{entry_id}", **{**FERRY, "answer_en": "Mine.", "seen_version": "1"})
    assert stale.status_code == 400 and "someone saved version 2" in stale.text
    assert _entry(console_server.database_url, entry_id).current_version == 2


def test_preview_shows_sms_segments_telegram_and_web_chat(comms: httpx.Client) -> None:
    entry_id = _create(comms, answer_es="Sí, cada hora.", questions_es="horario del ferry")
    page = comms.get(f"/faq/{entry_id}/preview").text
    assert "GSM-7" in page and "UCS-2" in page and "<code>í</code>" in page
    assert "Telegram" in page and "Web chat" in page and "segment" in page
    live = comms.post("/faq/preview.json", json={"text": "a" * 161, "links": ""},
                      headers={"X-CSRF-Token": comms.csrf})  # type: ignore[attr-defined]
    assert live.json()["segments"] == 2 and live.json()["encoding"] == "GSM-7"


def test_unknown_entry_is_404(comms: httpx.Client) -> None:
    assert comms.get("/faq/999999").status_code == 404
    assert _post(comms, "/faq/999999/publish").status_code == 404


def _upload(client: httpx.Client, name: str, content: str) -> httpx.Response:
    return client.post("/faq/import", data={"csrf_token": client.csrf},  # type: ignore[attr-defined]
                       files={"file": (name, content.encode("utf-8"), "text/plain")})


def test_import_with_one_bad_row_imports_nothing_and_names_the_row(
        comms: httpx.Client, console_server: ConsoleServer) -> None:
    header = "topic,state,questions_en,answer_en,links\n"
    bad = header + "ferry,published,ferry times,Hourly.,\nmarket,,market days,,\n"
    response = _upload(comms, "faq.csv", bad)
    assert response.status_code == 400
    assert "Nothing was imported" in response.text and "Row 3" in response.text
    with session_scope(console_server.database_url) as session:
        assert session.execute(select(FaqEntry)).first() is None
    good = header + "ferry,published,ferry times,Hourly.,\nmarket,,market days,Tuesdays.,\n"
    response = _upload(comms, "faq.csv", good)
    assert response.status_code == 200 and "2 new" in response.text
    with session_scope(console_server.database_url) as session:
        assert find_answer(session, "ferry times", "en").answer == "Hourly."


def test_export_downloads_yaml_and_csv(comms: httpx.Client) -> None:
    _create(comms)
    yaml_file = comms.get("/faq/export.yml")
    assert yaml_file.status_code == 200 and "attachment" in yaml_file.headers["content-disposition"]
    assert "topic: river-ferry" in yaml_file.text
    csv_file = comms.get("/faq/export.csv")
    assert csv_file.text.startswith("topic,state,questions_en,answer_en") and "river-ferry" in csv_file.text
    assert _upload(comms, "faq.yml", yaml_file.text).status_code == 200  # re-import: unchanged


def test_reports_show_unanswered_groups_and_replaced_versions(
        comms: httpx.Client, console_server: ConsoleServer) -> None:
    entry_id, db = _create(comms), console_server.database_url
    bus = _create(comms, topic="river-bus", questions_en="when does the river bus sail",
                  questions_es="", answer_en="Every 20 minutes.")
    _post(comms, f"/faq/{entry_id}/publish", version="1")
    _post(comms, f"/faq/{bus}/publish", version="1")
    with session_scope(db) as session:
        for question in ("where do I buy a fishing permit", "fishing permit where to buy",
                         "ferry times"):
            answer_question(session, question, "en", channel="webchat")
        offered = answer_question(session, "when does the river boat go", "en")
        assert sorted(item.entry_id for item in offered.suggestions) == [entry_id, bus]
    _post(comms, f"/faq/{entry_id}", **{**FERRY, "answer_en": "Changed.", "seen_version": "1"})
    _post(comms, f"/faq/{entry_id}/publish", version="2")
    unanswered = comms.get("/faq/unanswered").text
    assert re.search(r"<td>2</td>\s*<td>English</td>\s*<td lang=\"en\">[^<]*fishing permit", unanswered)
    assert re.search(r'when does the river boat go</td>\s*<td lang="en"></td>\s*<td>'
                     rf'<a href="/faq/{bus}">river-bus</a> · '
                     rf'<a href="/faq/{entry_id}">river-ferry</a></td>', unanswered), \
        unanswered[unanswered.find("river boat"):][:300]
    replaced = comms.get("/faq/replaced").text
    assert "river-ferry" in replaced and "version 2" in replaced


def test_answers_citizens_said_missed_are_listed_with_what_they_asked(
        comms: httpx.Client, console_server: ConsoleServer) -> None:
    entry_id, db = _create(comms), console_server.database_url
    _post(comms, f"/faq/{entry_id}/publish", version="1")
    assert "No citizen has said an answer missed." in comms.get("/faq/missed").text
    with session_scope(db) as session:
        served = [answer_question(session, question, "en", channel="webchat")
                  for question in ("when does the river ferry sail", "river ferry <times>")]
        assert all(result.answered for result in served)
        rate_answer(session, served[0].query_id, True)
        rate_answer(session, served[1].query_id, False)
    page = comms.get("/faq/missed").text
    assert re.search(rf'<a href="/faq/{entry_id}">river-ferry</a></td>\s*<td>1</td>\s*<td>1</td>',
                     page)  # missed once, helped once
    assert "river ferry &lt;times&gt;" in page  # the citizen's words, escaped
    assert "when does the river ferry sail</td>" not in page  # only the misses are listed
    assert 'href="/faq/missed"' in comms.get("/faq").text


@pytest.mark.parametrize("path", ["/faq", "/faq/new", "/faq/import", "/faq/unanswered",
                                  "/faq/missed", "/faq/replaced"])
def test_pages_have_no_inline_script_or_style(comms: httpx.Client, path: str) -> None:
    page = comms.get(path)
    assert page.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert not re.search(r"\s(style|on[a-z]+)=", page.text)
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_entry_pages_have_no_inline_script_or_style(comms: httpx.Client) -> None:
    entry_id = _create(comms)
    for path in (f"/faq/{entry_id}", f"/faq/{entry_id}/versions", f"/faq/{entry_id}/preview"):
        page = comms.get(path)
        assert page.status_code == 200, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path
        assert not re.search(r"\s(style|on[a-z]+)=", page.text), path
