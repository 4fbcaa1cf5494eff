"""Operator commands for the Telegram channel (bot/ stays free of python-telegram-bot).

    python -m channels.telegram_cli set-webhook [--url https://host/webhooks/telegram/webhook]
    python -m channels.telegram_cli delete-webhook

set-webhook registers the URL (default: TELEGRAM_PUBLIC_URL) with TELEGRAM_WEBHOOK_SECRET as
the secret token Telegram echoes in every call, and only the update types the channel reads.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import List, Optional

from bot.settings import get_settings
from channels.telegram import make_bot

ALLOWED_UPDATES = ["message", "callback_query"]


async def set_webhook(url: str, token: str, secret: str, api_base_url: str) -> bool:
    """Register the webhook; True when Telegram accepted it."""
    bot = make_bot(token, api_base_url)
    async with bot:
        return bool(await bot.set_webhook(url=url, secret_token=secret,
                                          allowed_updates=ALLOWED_UPDATES))


async def delete_webhook(token: str, api_base_url: str) -> bool:
    """Stop Telegram calling the webhook (pending updates are kept)."""
    bot = make_bot(token, api_base_url)
    async with bot:
        return bool(await bot.delete_webhook())


def main(argv: Optional[List[str]] = None) -> int:
    """Exit 0 on success, 2 when a setting is missing, 1 when Telegram said no."""
    parser = argparse.ArgumentParser(prog="python -m channels.telegram_cli")
    commands = parser.add_subparsers(dest="command", required=True)
    setter = commands.add_parser("set-webhook", help="register the webhook URL and secret")
    setter.add_argument("--url", help="public HTTPS URL (default: TELEGRAM_PUBLIC_URL)")
    commands.add_parser("delete-webhook", help="unregister the webhook")
    args = parser.parse_args(argv)
    settings = get_settings()
    if not settings.telegram_token:
        print("TELEGRAM_TOKEN is not set", file=sys.stderr)
        return 2
    if args.command == "delete-webhook":
        ok = asyncio.run(delete_webhook(settings.telegram_token, settings.telegram_api_base_url))
    else:
        url = args.url or settings.telegram_public_url
        if not url or not settings.telegram_webhook_secret:
            print("need --url (or TELEGRAM_PUBLIC_URL) and TELEGRAM_WEBHOOK_SECRET", file=sys.stderr)
            return 2
        ok = asyncio.run(set_webhook(url, settings.telegram_token, settings.telegram_webhook_secret,
                                     settings.telegram_api_base_url))
    print("ok" if ok else "Telegram refused the request")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
