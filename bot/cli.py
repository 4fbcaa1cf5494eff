"""Operator commands: `python -m bot.cli migrate | seed | show-case C-2026-000001 | create-admin
| retention`.

`seed` is safe to run on every deploy: services are updated from content/services.yml, FAQ
topics are added only when missing (the communications team owns them afterwards).
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import List, Optional

from bot.city import load_city
from bot.errors import InvalidInput


def _migrate(_args: argparse.Namespace) -> int:
    from bot.schema import migrate

    migrate()
    print("database is at the newest schema")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from bot.db import session_scope
    from bot.faq import seed_faq
    from bot.schema import migrate
    from bot.services import load_catalogue, seed_services
    from bot.status_reasons import load_reasons

    migrate()
    with session_scope() as session:
        services = seed_services(session, load_catalogue(args.services))
        added = seed_faq(session, args.faq)
    load_city()  # fail the deploy on a broken city or reasons block, not on a citizen's message
    load_reasons(args.services)
    print(f"services: {services} loaded; FAQ: {added} new topics")
    return 0


def _show_case(args: argparse.Namespace) -> int:
    from bot.cases import find_case
    from bot.db import session_scope
    from bot.errors import CaseNotFound, MalformedReference

    with session_scope() as session:
        try:
            case = find_case(session, args.reference)
        except (CaseNotFound, MalformedReference) as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(json.dumps(_case_summary(case), indent=2, ensure_ascii=False))
    return 0


def _case_summary(case) -> dict:  # type: ignore[no-untyped-def]
    """What an operator needs to see about a case, history included."""
    from bot.status_reasons import event_reason

    return {
        "reference": case.reference, "service": case.service_code, "status": case.status,
        "department": case.service.department, "channel": case.channel,
        "language": case.language, "address": case.address, "description": case.description,
        "answers": case.answers, "created_at": case.created_at.isoformat(),
        "expected_by": case.expected_by.isoformat() if case.expected_by else None,
        "attachments": [item.id for item in case.attachments],
        "history": [{"at": event.created_at.isoformat(), "kind": event.kind,
                     "to": event.to_status, "by": event.actor,
                     "reason": event_reason(event, "en"), "reason_code": event.reason_code}
                    for event in case.events],
    }


def _read_new_password(from_stdin: bool) -> str:
    """From stdin (one line, for scripts) or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise InvalidInput("the two passwords differ")
    return first


def _create_admin(args: argparse.Namespace) -> int:
    """The first admin (there are no default accounts); admins create everyone else."""
    from bot.db import session_scope
    from bot.staff import create_staff

    try:
        password = _read_new_password(args.password_stdin)
        with session_scope() as session:
            user = create_staff(session, username=args.username, display_name=args.display_name,
                                password=password, role="admin", actor="cli")
    except InvalidInput as exc:  # taken username, weak password (with every reason)
        reasons = getattr(exc, "reasons", None) or [str(exc)]
        print("admin not created: " + " ".join(reasons), file=sys.stderr)
        return 1
    print(f"admin {user.username} created")
    return 0


def _retention(args: argparse.Namespace) -> int:
    """Run from cron (e.g. nightly): anonymise what is past the retention period (H11)."""
    from bot.privacy import default_tracker_url
    from bot.retention import run_retention
    from bot.settings import get_settings

    settings = get_settings()
    days = args.days if args.days is not None else settings.retention_days
    batch = args.batch_size if args.batch_size is not None else settings.retention_batch_size
    if days < 1 or batch < 1:
        print("retention: --days and --batch-size must be at least 1", file=sys.stderr)
        return 2
    totals = run_retention(days=days, batch_size=batch, tracker_url=default_tracker_url())
    print(json.dumps({"days": days, **totals}, sort_keys=True))
    return 0


def _pseudonym(args: argparse.Namespace) -> int:
    """The tag logs carry for a citizen's identifier, to find their lines (bot/pseudonyms.py)."""
    from bot.logs import pseudonym

    print(pseudonym(args.value.strip()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database to the newest schema").set_defaults(run=_migrate)
    seed = commands.add_parser("seed", help="migrate, then load services and FAQ (idempotent)")
    seed.add_argument("--services", default=None, help="catalogue file (default: settings)")
    seed.add_argument("--faq", default=None, help="FAQ seed file (default: settings)")
    seed.set_defaults(run=_seed)
    show = commands.add_parser("show-case", help="print a case and its history")
    show.add_argument("reference")
    show.set_defaults(run=_show_case)
    admin = commands.add_parser("create-admin", help="create a console admin account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--display-name", required=True)
    admin.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of stdin instead of a prompt")
    admin.set_defaults(run=_create_admin)
    retention = commands.add_parser("retention", help="anonymise closed cases and conversations "
                                    "older than the retention period (idempotent, batched)")
    retention.add_argument("--days", type=int, default=None, help="default: settings.retention_days")
    retention.add_argument("--batch-size", type=int, default=None,
                           help="default: settings.retention_batch_size")
    retention.set_defaults(run=_retention)
    tag = commands.add_parser("pseudonym", help="the tag the logs use for a phone number, chat id "
                              "or session id (keyed with PSEUDONYM_KEY)")
    tag.add_argument("value", help="as the channel knows it, e.g. +447700900123 or 123456789")
    tag.set_defaults(run=_pseudonym)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
