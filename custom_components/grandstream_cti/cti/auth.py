"""How requests carry the password: the only code that puts it on the wire.

Two ways, one contract (`Auth.send`):

* `PasscodeAuth`: the passcode CTI API, `?passcode=` on every request.
* `SessionAuth`: the web session API: one login (challenge or plain), then a
  `sid` in a cookie, the form of POSTs and the query of GETs.

The rules, whatever the timing:

* A password not yet known to work goes out in **one** request; requests made
  meanwhile wait for its answer (session: the login). The passcode API goes
  further: its password may stop working at any time (changed on the
  phone), so every passcode request goes alone (`Request.alone`) and a
  rejection is known before the next one is sent; its commands still go
  before waiting reads.
* Once the phone rejects the password, or a login shows another phone's MAC,
  nothing more is sent (`stopped`): every call raises the same error without
  I/O, including requests that were already waiting for their lane.
* A lock is not a wrong password: while the phone says it is locked, the
  password is not sent; once the lock should be over it is tried once.
* A session that expires is renewed by **one** login, shared by every request
  that saw it expire; if the request then still fails, the account may not do
  it (a permission error), never a loop. When the session is taken by another
  login soon after each of ours (phones with one session per account), logins
  back off to one per `CONTESTED_LOGIN_EVERY`.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Mapping
import copy
from dataclasses import dataclass, field
import logging
import math
import time
from typing import Final

from .address import normalize_mac
from .errors import (
    GrandstreamCTIApiChangedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    GrandstreamCTILockedError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTISessionTakenError,
    GrandstreamCTIWrongDeviceError,
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

type Clock = Callable[[], float]
# Which MAC the network shows at the phone's address (None: it does not say).
type NetworkMac = Callable[[], Awaitable[str | None]]
# A session that dies this soon after our login was taken by another login:
# every idle timeout known is longer than the interval we read at.
TAKEN_WITHIN: Final = 120.0
# Sessions taken in a row before logins back off, and how far.
TAKEN_IN_A_ROW: Final = 2
CONTESTED_LOGIN_EVERY: Final = 300.0


@dataclass(frozen=True, slots=True)
class Call:
    """One CGI function call, before credentials are added."""

    function: str
    params: Mapping[str, str] = field(default_factory=dict)
    # Reads are retried once on a transport failure (a passcode read only if
    # it never left); commands never.
    read: bool = True
    # How the session API wants it (the passcode API: always POST).
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
    """Sends calls with the password; stops for good on a rejection."""

    def __init__(
        self, transport: Transport, password: str, *, clock: Clock = time.monotonic
    ) -> None:
        """Keep the transport and the password (never logged)."""
        self._transport = transport
        self._password = password
        self._clock = clock
        # Why nothing more is sent: the phone rejected the password, or
        # another phone answers at the address.
        self.stopped: GrandstreamCTIError | None = None

    @property
    def rejected(self) -> bool:
        """Return True once the phone rejected the password."""
        return isinstance(self.stopped, GrandstreamCTIAuthenticationError)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return what must never show in messages or logs."""
        return (self._password,)

    def stopped_error(self) -> GrandstreamCTIError | None:
        """Return a fresh copy of the reason nothing is sent, if any."""
        return None if self.stopped is None else copy.copy(self.stopped)

    def check_stopped(self) -> None:
        """Raise (a copy of) the reason nothing is sent, if any."""
        if (error := self.stopped_error()) is not None:
            raise error

    def stop(self, error: GrandstreamCTIError) -> None:
        """Send nothing more: the password was rejected, or this is another phone."""
        if self.stopped is None:
            _LOGGER.debug(
                "%s: %s; nothing more is sent",
                self._transport.base_url,
                type(error).__name__,
            )
            self.stopped = error

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
    """The passcode CTI API: the password in every request's query string.

    Proven or not, a password goes in one request at a time: a password
    changed on the phone costs one failed request, not one per request in
    flight (phones lock after 5).
    """

    def _request(self, call: Call) -> Request:
        query = {PARAM_PASSCODE: self._password, **call.params}
        # POST even for reads (phones take both): never re-sent by aiohttp.
        return Request.cgi(
            METHOD_POST,
            call.function,
            query=query,
            guard=self.stopped_error,
            alone=True,
        )

    async def send(self, call: Call, *, expect_drop: bool = False) -> Answer | None:
        """Send the call when no other passcode request is out; judge its answer.

        The answer is judged without awaiting anything after the transport
        passed the turn on, so the next request's guard already sees a
        rejection.
        """
        self.check_stopped()
        return self._note(
            await self._transmit(self._request(call), call, expect_drop=expect_drop)
        )

    def _note(self, answer: Answer | None) -> Answer | None:
        """Stop for good when the answer rejects the password."""
        if answer is not None and (
            answer.status == 401 or _says_unauthorized(answer.text)
        ):
            self.stop(GrandstreamCTIAuthenticationError(MESSAGE_AUTHENTICATION))
            self.check_stopped()
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
        expected_mac: str | None = None,
        network_mac: NetworkMac | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        """Keep what logging in needs.

        nonce: one the detection already got; expected_mac: the phone's MAC,
        checked at every login that tells one, and before every login against
        the MAC network_mac says the address has (the neighbour table).
        """
        super().__init__(transport, password, clock=clock)
        self.username = username
        self.variant = variant
        self.expected_mac = normalize_mac(expected_mac)
        self._network_mac = network_mac
        self.info: SessionInfo | None = None
        # The last login told no MAC: the client reads it (P67) and checks.
        self.identity_pending = False
        self._nonce = nonce
        self._sid: str | None = None
        # Cookies the phone set (replayed as they came) besides our sid.
        self._cookies: dict[str, str] = {}
        # Bumped by every login: a request whose session expired re-logs in
        # only if nobody did since it was sent.
        self._generation = 0
        self._lock = asyncio.Lock()
        self._locked_until: float | None = None
        self._last_login: float | None = None
        # Sessions taken by another login soon after ours, in a row.
        self._taken = 0
        self._counted_generation = -1

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the password and the session id."""
        return tuple(item for item in (self._password, self._sid) if item)

    @property
    def logged_in(self) -> bool:
        """Return True while the client holds a session."""
        return self._sid is not None

    @property
    def contested(self) -> bool:
        """Return True while another login keeps taking the session."""
        return self._taken >= TAKEN_IN_A_ROW

    async def login(self) -> SessionInfo:
        """Log in unless logged in; return what the login told."""
        await self._session()
        assert self.info is not None
        return self.info

    def _is_expected(self, told: str | None) -> bool:
        mac = normalize_mac(told)
        return self.expected_mac is None or mac is None or mac == self.expected_mac

    def check_mac(self, told: str | None) -> None:
        """Stop for good when the phone tells a MAC that is not the expected one."""
        if self._is_expected(told):
            return
        mac = normalize_mac(told)
        assert mac is not None
        self._sid = None
        self.stop(
            GrandstreamCTIWrongDeviceError(
                f"A different phone ({mac}) answers at {self._transport.base_url}",
                mac=mac,
            )
        )
        self.check_stopped()

    async def _session(self) -> tuple[str, int]:
        """Return the current sid and its generation, logging in if needed."""
        self.check_stopped()
        if self._sid is None:
            async with self._lock:
                self.check_stopped()
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
            self.check_stopped()
            if self._generation == generation or self._sid is None:
                self._sid = None
                await self._login()
            return self._current()

    def _browser(self, method: str, function: str, **kwargs: object) -> Request:
        return Request.cgi(method, function, browser_headers=True, **kwargs)

    def _check_may_log_in(self, now: float) -> None:
        """Raise without I/O while a lock or a contested session says wait."""
        if self._locked_until is not None and now < self._locked_until:
            minutes = math.ceil((self._locked_until - now) / 60)
            raise GrandstreamCTILockedError(
                "The phone has locked web logins; trying once more in "
                f"{minutes} minutes",
                minutes=minutes,
            )
        if (
            self.contested
            and self._last_login is not None
            and now < self._last_login + CONTESTED_LOGIN_EVERY
        ):
            raise GrandstreamCTISessionTakenError(
                f"Another login keeps taking the phone's web session of "
                f"{self.username}; logging in again in a few minutes (the user "
                "account avoids this)"
            )

    async def _login(self) -> None:
        """Log in: unauthenticated steps first, then one request with the password."""
        transport = self._transport
        now = self._clock()
        self._check_may_log_in(now)
        await self._check_network_mac()
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
                nonce = await self._challenge()
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
        except GrandstreamCTILockedError as err:
            if err.minutes is not None:
                self._locked_until = now + err.minutes * 60
            raise
        except GrandstreamCTIAuthenticationError as err:
            self.stop(err)
            raise
        if not self._is_expected(info.mac):
            # Another phone: end the session it gave, then send it nothing more.
            await self._logout(sid, dict(answer.cookies))
        self.check_mac(info.mac)
        self._sid = sid
        self._cookies = dict(answer.cookies)
        self._generation += 1
        self._last_login = now
        self._locked_until = None
        self.info = info
        self.identity_pending = info.mac is None or info.firmware is None
        _LOGGER.debug("%s: logged in (role %s)", transport.base_url, info.role)

    async def _check_network_mac(self) -> None:
        """Stop before any login step when the network shows another MAC there."""
        if self.expected_mac is None or self._network_mac is None:
            return
        try:
            seen = normalize_mac(await self._network_mac())
        except Exception:  # noqa: BLE001 - no answer from the network is no proof
            seen = None
        if seen is not None:
            self.check_mac(seen)

    async def _challenge(self) -> str:
        """Return a fresh login nonce (no password in this request)."""
        challenge = await self._transport.send(
            self._browser(
                METHOD_POST,
                FUNCTION_ACCESS,
                form={PARAM_ACCESS: sha256_hex(self.username)},
            ),
            lane=Lane.COMMAND,
            label="login challenge",
            retry=True,
        )
        base = self._transport.base_url
        if challenge.status >= 500:
            raise GrandstreamCTIConnectionError(
                f"The phone at {base} answered the login challenge with HTTP "
                f"{challenge.status} (busy?); trying again later"
            )
        nonce = parse_nonce(challenge.text) if challenge.status == 200 else None
        if nonce is None:
            raise GrandstreamCTIApiChangedError(
                f"The device at {base} gives no login challenge: it does not log "
                "in the way this phone did"
            )
        return nonce

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
        kwargs: dict[str, object] = {"cookies": cookies, "guard": self.stopped_error}
        if call.json is not None:
            return self._browser(
                METHOD_PUT,
                call.function,
                query={**call.params, PARAM_SID: sid},
                json=call.json,
                **kwargs,
            )
        if call.session_method == METHOD_GET:
            return self._browser(
                METHOD_GET,
                call.function,
                query={**call.params, PARAM_SID: sid},
                **kwargs,
            )
        return self._browser(
            call.session_method,
            call.function,
            form={**call.params, PARAM_SID: sid},
            **kwargs,
        )

    async def send(self, call: Call, *, expect_drop: bool = False) -> Answer | None:
        """Send with the session; on expiry log in once and resend once."""
        sid, generation = await self._session()
        answer = await self._transmit(
            self._request(call, sid), call, expect_drop=expect_drop
        )
        if answer is None or not session_expired(answer.status, answer.text):
            self._note_alive()
            return self._keep_cookies(answer)
        _LOGGER.debug(
            "%s %s: session expired; logging in again",
            self._transport.base_url,
            call.name,
        )
        self._note_expired(generation)
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

    def _note_expired(self, generation: int) -> None:
        """Count a session that died soon after our login (once per session)."""
        if generation != self._generation or generation == self._counted_generation:
            return
        self._counted_generation = generation
        taken = (
            self._last_login is not None
            and self._clock() - self._last_login < TAKEN_WITHIN
        )
        self._taken = self._taken + 1 if taken else 0

    def _note_alive(self) -> None:
        """Forget earlier takings once a session outlived TAKEN_WITHIN."""
        if (
            self._taken
            and self._last_login is not None
            and self._clock() - self._last_login >= TAKEN_WITHIN
        ):
            self._taken = 0

    def _keep_cookies(self, answer: Answer | None) -> Answer | None:
        if answer is not None and answer.cookies:
            self._cookies.update(answer.cookies)
        return answer

    async def logout(self) -> None:
        """Log out (best effort: any failure is ignored)."""
        async with self._lock:
            sid, self._sid = self._sid, None
            cookies, self._cookies = self._cookies, {}
        if sid is not None:
            await self._logout(sid, cookies)

    async def _logout(self, sid: str, cookies: dict[str, str]) -> None:
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
