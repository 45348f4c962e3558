"""One `/cgi-bin` request as the handlers see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .session import Session

if TYPE_CHECKING:
    from .render import Quirks


@dataclass
class CgiRequest:
    """The request, its parameters, and who it turned out to be.

    Handlers get the phone's parts they need when they are built (see
    cti_routes.py, session_routes.py); this carries only the request.
    """

    request: web.Request
    function: str
    params: dict[str, str]
    document: Any  # a JSON body (config_update), else None
    entry: dict[str, Any]  # this request's record in the request log
    quirks: Quirks  # how answers are written
    session: Session | None = None

    def set_auth(self, auth: str) -> None:
        """Note how the request authenticated (`passcode`, `session`, `none`)."""
        self.entry["auth"] = auth


Handler = Callable[[CgiRequest], web.Response]
