"""How console routes turn the core's named errors into pages: one decorator, so every
blueprint maps "not found", "changed meanwhile" and "database down" to the same honest
statuses, and each blueprint only says how its own error page looks."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping, Optional, Type

from sanic import Request
from sanic.response import HTTPResponse

from bot.errors import CivicError

Handler = Callable[..., Awaitable[HTTPResponse]]
# (request, the route's key argument or None, the error, its HTTP status) -> the error page
ErrorPage = Callable[[Request, Any, CivicError, int], Awaitable[HTTPResponse]]


def status_for(status_of: Mapping[Type[CivicError], int], error: CivicError) -> int:
    """The status of the first error class in `status_of` that `error` is an instance of."""
    return next(code for kind, code in status_of.items() if isinstance(error, kind))


def answering_errors(status_of: Mapping[Type[CivicError], int], error_page: ErrorPage,
                     key: Optional[str] = None) -> Callable[[Handler], Handler]:
    """Decorate a handler so the errors named in `status_of` become `error_page` responses;
    `key` names the route argument (a reference, an id) the page is about."""

    def decorate(handler: Handler) -> Handler:
        async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            try:
                return await handler(request, *args, **kwargs)
            except tuple(status_of) as error:  # type: ignore[misc]
                return await error_page(request, kwargs.get(key) if key else None, error,
                                        status_for(status_of, error))

        wrapped.__name__ = handler.__name__
        return wrapped

    return decorate


def sentence(text: str) -> str:
    """An error message as a sentence for a page: capitalised, ending with a full stop."""
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text
