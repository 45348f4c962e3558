"""One `/cgi-bin` request as the handlers see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .session import Session

if TYPE_CHECKING:
    from .profiles import Profile
    from .render import Quirks
    from .server import PhoneSimulator


@dataclass
class CgiRequest:
    """The request, its parameters, and who it turned out to be."""

    sim: PhoneSimulator
    request: web.Request
    function: str
    params: dict[str, str]
    document: Any  # a JSON body (config_update), else None
    entry: dict[str, Any]  # this request's record in the request log
    session: Session | None = None

    @property
    def profile(self) -> Profile:
        """Return the phone's firmware profile."""
        return self.sim.profile

    @property
    def quirks(self) -> Quirks:
        """Return the phone's quirks."""
        return self.sim.quirks

    def set_auth(self, auth: str) -> None:
        """Note how the request authenticated (`passcode`, `session`, `none`)."""
        self.entry["auth"] = auth
