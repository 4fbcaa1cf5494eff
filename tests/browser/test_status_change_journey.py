"""A status change reaching the citizen, end to end: a caseworker signs in to the console in
headless Chromium, opens a case from the list, sees who will be told and in which language,
refers it with a standard reason and a note of their own; the outbox holds the citizen's
message in the citizen's language (Spanish), the standard reason in Spanish and the note as
typed, and the real outbox
dispatcher (`python -m channels.dispatcher`) delivers it by SMS through twilio-python to the
local fake Twilio, where the citizen's number receives exactly that text."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, List

import pytest
from sqlalchemy import select

from bot.cases import open_case
from bot.db import session_scope
from bot.models import Case, OutboxMessage
from tests.browser.console_pages import sign_in
from tests.console.harness import ConsoleServer, console_factory, create_staff_account  # noqa: F401
from tests.fakes.twilio_api import FakeTwilio
from tests.integration.servers import project_environment
from tests.identities import unused_spanish_mobile

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[2]
CITY_NUMBER = "+441632960999"
REASON = "Esta calle es de la Diputación; llame al 900 123 456"
STANDARD_REASON_ES = "Es responsabilidad de la administración regional, no del ayuntamiento."
DELIVERY_TIMEOUT = 30.0


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def dispatcher(twilio: FakeTwilio, tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen]]:
    """Starts `python -m channels.dispatcher` on a database, with SMS pointed at the fake."""
    started: List[subprocess.Popen] = []

    def start(database_url: str) -> subprocess.Popen:
        env = project_environment({
            "DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token, "TWILIO_FROM_NUMBER": CITY_NUMBER,
            "TWILIO_API_BASE_URL": twilio.base_url, "OUTBOX_POLL_SECONDS": "0.2"})
        with (tmp_path / "dispatcher.log").open("ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "channels.dispatcher"], cwd=ROOT,
                                       env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
        process.wait(20)


def spanish_sms_case(console: ConsoleServer, number: str) -> Case:
    """A Spanish-speaking SMS reporter's pothole case, who asked for updates."""
    with session_scope(console.database_url) as session:
        return open_case(session, submission_id=uuid.uuid4().hex, service_code="pothole",
                         description="Un bache enorme delante del colegio\nlleva semanas así",
                         address="Calle Mayor 12", latitude=40.4168, longitude=-3.7038,
                         channel="sms", sender_id=number, contact=number, language="es",
                         consent=True, now=dt.datetime(2026, 11, 23, 12, 0)).case


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll with a deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_a_referral_reaches_the_citizen_by_sms_in_spanish_with_the_reasons(
        chromium: "Browser", console_factory: Callable[..., ConsoleServer],  # noqa: F811
        twilio: FakeTwilio, dispatcher: Callable[[str], subprocess.Popen], tmp_path: Path) -> None:
    console = console_factory()
    username, password = create_staff_account(console.database_url, "caseworker", "Highways")
    number = unused_spanish_mobile()
    case = spanish_sms_case(console, number)

    page = chromium.new_page()
    try:
        sign_in(page, console.url, username, password)
        page.goto(f"{console.url}/cases")
        page.click(f"text={case.reference}")
        page.wait_for_url(f"**/cases/{case.reference}")
        assert page.text_content("#case-address") == "Calle Mayor 12"
        assert page.text_content("#told") == "Sent to the reporter (reads Spanish)."
        page.select_option("#status", "referred")
        page.select_option("#reason_code", "regional_authority")
        page.fill("#reason", REASON)
        page.click("#status-form button[type=submit]")
        page.wait_for_url("**?notice=status")
        assert page.text_content("#case-status") == "referred"
        history = page.text_content("#case-history")
        assert "It is the responsibility of the regional authority, not the city. " + REASON \
            in history
    except Exception:
        page.screenshot(path=str(tmp_path / "status-change.png"))
        raise
    finally:
        page.close()

    with session_scope(console.database_url) as session:
        [message] = session.execute(select(OutboxMessage)
                                    .where(OutboxMessage.case_id == case.id)).scalars().all()
    assert (message.channel, message.recipient, message.language) == ("sms", number, "es")
    assert message.body.startswith(f"Novedades de su aviso {case.reference} (Bache): derivado a "
                                   f"otro organismo. {STANDARD_REASON_ES} {REASON}.")

    dispatcher(console.database_url)
    assert wait_for(lambda: twilio.bodies_to(number) == [message.body], DELIVERY_TIMEOUT), \
        f"the citizen's number received {twilio.bodies_to(number)!r}"
    assert wait_for(lambda: _status(console.database_url, message.id) == "sent", 10)


def _status(database_url: str, message_id: int) -> str:
    with session_scope(database_url) as session:
        return session.get(OutboxMessage, message_id).status


def test_a_question_from_the_case_page_reaches_the_citizen_by_sms_in_spanish(
        chromium: "Browser", console_factory: Callable[..., ConsoleServer],  # noqa: F811
        twilio: FakeTwilio, dispatcher: Callable[[str], subprocess.Popen], tmp_path: Path) -> None:
    console = console_factory()
    username, password = create_staff_account(console.database_url, "caseworker", "Highways")
    number = unused_spanish_mobile()
    case = spanish_sms_case(console, number)

    page = chromium.new_page()
    try:
        sign_in(page, console.url, username, password)
        page.goto(f"{console.url}/cases/{case.reference}")
        # a reply the form added to the description keeps its own line (validate_report_form)
        assert page.inner_text("#case-description") == \
            "Un bache enorme delante del colegio\nlleva semanas así"
        assert "(Spanish)" in page.text_content("#question-hint")
        page.fill("#question", "¿Está delante del número 14 o del 16?")
        page.click("#question-form button[type=submit]")
        page.wait_for_url("**?notice=question*")
        assert "Question queued for the reporter" in page.text_content(".notice")
        assert "question asked: ¿Está delante del número 14 o del 16?" in \
            page.text_content("#case-history")
    except Exception:
        page.screenshot(path=str(tmp_path / "question.png"))
        raise
    finally:
        page.close()

    expected = (f"Sobre su aviso {case.reference} (Bache), nuestro equipo pregunta: ¿Está "
                "delante del número 14 o del 16? Responda aquí; también puede enviar una foto.")
    dispatcher(console.database_url)
    assert wait_for(lambda: twilio.bodies_to(number) == [expected], DELIVERY_TIMEOUT), \
        f"the citizen's number received {twilio.bodies_to(number)!r}"
