"""How requests carry the password: the only code that puts it on the wire.

Two ways, one contract (`Auth.send`):

* `PasscodeAuth`: the passcode CTI API, `?passcode=` on every request.
* `SessionAuth`: the web session API: one login (challenge or plain), then a
  `sid` in a cookie, the form of POSTs and the query of GETs.

Both keep the lockout rules (web accounts lock after 5 failures):

* A password not yet known to work goes out in **one** request; requests made
  meanwhile wait for its answer (passcode: the first request; session: the
  login).
* Once the phone rejects the password, nothing more is sent with it: every
  call raises the same error without I/O (`rejected`).
* A session that expires is renewed by **one** login, shared by every request
  that saw it expire; if the request then still fails, the account may not do
  it (a permission error), never a loop.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Mapping
import copy
from dataclasses import dataclass, field
import logging
from typing import Final

from .errors import (
    GrandstreamCTIAuthenticationError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
)
from .models import LoginVariant, SessionInfo
from .parsing import MESSAGE_AUTHENTICATION, loads_lenient
from .session_parsing import (
    parse_lockout,
    parse_login,
    parse_nonce,
    session_expired,
    sha256_hex,
)
from .transport import Answer, Lane, Request, Transport
from .wire import (
    BODY_UNAUTHORIZED,
    COOKIE_SID,
    ENVELOPE_BODY,
    FUNCTION_ACCESS,
    FUNCTION_DOLOGIN,
    FUNCTION_DOLOGOUT,
    FUNCTION_GET_LOCKOUT,
    PARAM_ACCESS,
    PARAM_PASSCODE,
    PARAM_PASSWORD,
    PARAM_SID,
    PARAM_USERNAME,
)

_LOGGER = logging.getLogger(__name__)

METHOD_GET: Final = "GET"
METHOD_POST: Final = "POST"
METHOD_PUT: Final = "PUT"


@dataclass(frozen=True, slots=True)
class Call:
    """One CGI function call, before credentials are added."""

    function: str
    params: Mapping[str, str] = field(default_factory=dict)
    # Reads are retried once on a transport failure; commands never.
    read: bool = True
    # How the session API wants it (the passcode API: GET reads, POST commands).
    session_method: str = METHOD_POST
    # A JSON body for the session API (config_update); sid goes in the query.
    json: object = None
    label: str = ""

    @property
    def name(self) -> str:
        """Return what logs and errors call this request."""
        return self.label or self.function

    @property
    def lane(self) -> Lane:
        """Return the lane the call waits in."""
        return Lane.READ if self.read else Lane.COMMAND


class Auth(abc.ABC):
    """Sends calls with the password; remembers if the phone rejected it."""

    def __init__(self, transport: Transport, password: str) -> None:
        """Keep the transport and the password (never logged)."""
        self._transport = transport
        self._password = password
        self.rejected: GrandstreamCTIAuthenticationError | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return what must never show in messages or logs."""
        return (self._password,)

    def check_rejected(self) -> None:
        """Raise (a copy of) the rejection if the phone rejected the password."""
        if self.rejected is not None:
            raise copy.copy(self.rejected)

    def reject(self, error: GrandstreamCTIAuthenticationError) -> None:
        """Remember that the phone rejected the password; nothing more is sent."""
        if self.rejected is None:
            _LOGGER.debug(
                "%s: password rejected; nothing more is sent with it",
                self._transport.base_url,
            )
        self.rejected = error

    @abc.abstractmethod
    async def send(self, call: Call, *, expect_drop: bool = False) -> Answer | None:
        """Send a call with credentials and return the answer.

        expect_drop: the phone may close the connection after answering (a
        reboot); None is returned then.
        """

    async def logout(self) -> None:  # noqa: B027 - the passcode API has no session
        """End the session, if there is one (best effort)."""

    async def _transmit(
        self, request: Request, call: Call, *, expect_drop: bool
    ) -> Answer | None:
        if expect_drop:
            return await self._transport.send_expecting_drop(
                request, lane=call.lane, label=call.name
            )
        return await self._transport.send(
            request, lane=call.lane, label=call.name, retry=call.read
        )


class PasscodeAuth(Auth):
    """The passcode CTI API: the password in every request's query string."""

    def __init__(self, transport: Transport, password: str) -> None:
        """Start with a password not yet known to work."""
        super().__init__(transport, password)
        self.verified = False
        self._gate = asyncio.Lock()

    def _request(self, call: Call) -> Request:
        query = {PARAM_PASSCODE: self._password, **call.params}
        return Request.cgi(
            METHOD_GET if call.read else METHOD_POST, call.function, query=query
        )

    async def send(self, call: Call, *, expect_drop: bool = False) -> Answer | None:
        """Send the call; the first one alone while the password is unproven."""
        self.check_rejected()
        if not self.verified:
            async with self._gate:
                self.check_rejected()
                if not self.verified:
                    return self._note(
                        await self._transmit(
                            self._request(call), call, expect_drop=expect_drop
                        )
                    )
        return self._note(
            await self._transmit(self._request(call), call, expect_drop=expect_drop)
        )

    def _note(self, answer: Answer | None) -> Answer | None:
        """Learn from an answer whether the password works."""
        if answer is None:
            return None
        if answer.status == 401 or _says_unauthorized(answer.text):
            self.reject(GrandstreamCTIAuthenticationError(MESSAGE_AUTHENTICATION))
            self.check_rejected()
        if answer.status == 200:
            self.verified = True
        return answer


class SessionAuth(Auth):
    """The web session API: log in once, then send the session id."""

    def __init__(
        self,
        transport: Transport,
        username: str,
        password: str,
        variant: LoginVariant,
        *,
        nonce: str | None = None,
    ) -> None:
        """Keep what logging in needs; nonce: one the detection already got."""
        super().__init__(transport, password)
        self.username = username
        self.variant = variant
        self.info: SessionInfo | None = None
        self._nonce = nonce
        self._sid: str | None = None
        # Cookies the phone set (replayed as they came) besides our sid.
        self._cookies: dict[str, str] = {}
        # Bumped by every login: a request whose session expired re-logs in
        # only if nobody did since it was sent.
        self._generation = 0
        self._lock = asyncio.Lock()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the password and the session id."""
        return tuple(item for item in (self._password, self._sid) if item)

    @property
    def logged_in(self) -> bool:
        """Return True while the client holds a session."""
        return self._sid is not None

    async def login(self) -> SessionInfo:
        """Log in unless logged in; return what the login told."""
        await self._session()
        assert self.info is not None
        return self.info

    async def _session(self) -> tuple[str, int]:
        """Return the current sid and its generation, logging in if needed."""
        self.check_rejected()
        if self._sid is None:
            async with self._lock:
                self.check_rejected()
                if self._sid is None:
                    await self._login()
        return self._current()

    def _current(self) -> tuple[str, int]:
        """Return the sid (logged in) and its generation."""
        assert self._sid is not None
        return self._sid, self._generation

    async def _renew(self, generation: int) -> tuple[str, int]:
        """Log in again, unless another request already did since generation."""
        async with self._lock:
            self.check_rejected()
            if self._generation == generation or self._sid is None:
                self._sid = None
                await self._login()
            return self._current()

    def _browser(self, method: str, function: str, **kwargs: object) -> Request:
        return Request.cgi(method, function, browser_headers=True, **kwargs)

    async def _login(self) -> None:
        """Log in: unauthenticated steps first, then one request with the password."""
        transport = self._transport
        # The detection's nonce serves this attempt only: a nonce lives about
        # a minute, and a stale one would cost a login attempt.
        nonce, self._nonce = self._nonce, None
        locked = await self._probe(
            Request.cgi(METHOD_GET, FUNCTION_GET_LOCKOUT), "lockout"
        )
        if locked is not None and parse_lockout(locked.text):
            # The password would be one more failure: don't send it.
            raise GrandstreamCTILockedError(
                "The phone has locked web logins after too many wrong passwords; "
                "wait for the lock to end"
            )
        if self.variant is LoginVariant.CHALLENGE:
            if nonce is None:
                challenge = await transport.send(
                    self._browser(
                        METHOD_POST,
                        FUNCTION_ACCESS,
                        form={PARAM_ACCESS: sha256_hex(self.username)},
                    ),
                    lane=Lane.COMMAND,
                    label="login challenge",
                    retry=True,
                )
                nonce = parse_nonce(challenge.text)
                if nonce is None:
                    raise GrandstreamCTIResponseError(
                        f"The phone at {transport.base_url} gave no login challenge"
                    )
            secret = sha256_hex(self._password + nonce)
        else:
            secret = self._password
        # The one request with the password: never retried.
        answer = await transport.send(
            self._browser(
                METHOD_POST,
                FUNCTION_DOLOGIN,
                form={PARAM_USERNAME: self.username, PARAM_PASSWORD: secret},
            ),
            lane=Lane.COMMAND,
            label="login",
            retry=False,
        )
        if answer.status == 403:
            raise GrandstreamCTIResponseError(
                f"The phone at {transport.base_url} refused the login request "
                "(HTTP 403): it wants the request to come from its own web page"
            )
        if answer.status != 200:
            raise GrandstreamCTIResponseError(
                f"The phone at {transport.base_url} answered the login with HTTP "
                f"{answer.status}"
            )
        try:
            sid, info = parse_login(answer.text, secrets=self.secrets)
        except GrandstreamCTIAuthenticationError as err:
            self.reject(err)
            raise
        self._sid = sid
        self._cookies = dict(answer.cookies)
        self._generation += 1
        self.info = info
        _LOGGER.debug("%s: logged in (role %s)", transport.base_url, info.role)

    async def _probe(self, request: Request, label: str) -> Answer | None:
        """Send an unauthenticated request; None if it fails in any way."""
        try:
            return await self._transport.send(
                request, lane=Lane.READ, label=label, retry=False
            )
        except Exception:  # noqa: BLE001 - a probe only helps; the login decides
            return None

    def _request(self, call: Call, sid: str) -> Request:
        cookies = {**self._cookies}
        cookies.setdefault(COOKIE_SID, sid)
        if call.json is not None:
            return self._browser(
                METHOD_PUT,
                call.function,
                query={**call.params, PARAM_SID: sid},
                json=call.json,
                cookies=cookies,
            )
        if call.session_method == METHOD_GET:
            return self._browser(
                METHOD_GET,
                call.function,
                query={**call.params, PARAM_SID: sid},
                cookies=cookies,
            )
        return self._browser(
            call.session_method,
            call.function,
            form={**call.params, PARAM_SID: sid},
            cookies=cookies,
        )

    async def send(self, call: Call, *, expect_drop: bool = False) -> Answer | None:
        """Send with the session; on expiry log in once and resend once."""
        sid, generation = await self._session()
        answer = await self._transmit(
            self._request(call, sid), call, expect_drop=expect_drop
        )
        if answer is None or not session_expired(answer.status, answer.text):
            return self._keep_cookies(answer)
        _LOGGER.debug(
            "%s %s: session expired; logging in again",
            self._transport.base_url,
            call.name,
        )
        sid, _ = await self._renew(generation)
        answer = await self._transmit(
            self._request(call, sid), call, expect_drop=expect_drop
        )
        if answer is not None and session_expired(answer.status, answer.text):
            raise GrandstreamCTIPermissionError(
                f"The phone does not let the {self.username} account use "
                f"{call.name}; the admin account may"
            )
        return self._keep_cookies(answer)

    def _keep_cookies(self, answer: Answer | None) -> Answer | None:
        if answer is not None and answer.cookies:
            self._cookies.update(answer.cookies)
        return answer

    async def logout(self) -> None:
        """Log out (best effort: any failure is ignored)."""
        async with self._lock:
            sid, self._sid = self._sid, None
            cookies, self._cookies = self._cookies, {}
        if sid is None:
            return
        cookies.setdefault(COOKIE_SID, sid)
        await self._probe(
            self._browser(
                METHOD_POST, FUNCTION_DOLOGOUT, form={PARAM_SID: sid}, cookies=cookies
            ),
            "logout",
        )


def _says_unauthorized(text: str) -> bool:
    """Return True for an "unauthorized" answer in any form."""
    if BODY_UNAUTHORIZED not in text.lower():
        return False
    stripped = text.strip().strip("\"'“”").lower()
    if stripped == BODY_UNAUTHORIZED:
        return True
    value = loads_lenient(text)
    return (
        isinstance(value, dict)
        and str(value.get(ENVELOPE_BODY, "")).strip().lower() == BODY_UNAUTHORIZED
    )
