"""PhoneSimulator: one simulated phone served by aiohttp."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
import logging
from typing import Any, Final, Literal, cast, get_args

from aiohttp import web
from aiohttp.typedefs import Handler

from .cgi import cgi_routes
from .clock import SimClock, Timer
from .config import DENIAL_STYLES, SimulatorConfig
from .config_store import ConfigStore, build_store, public_slots
from .control_routes import control_routes
from .handset import Handset
from .phone import Phone, PhoneEvent, accounts_from
from .presets import MODELS
from .profiles import PROFILES, Profile
from .push import ActionUrlPusher
from .render import Quirks
from .session import SessionManager
from .tls import self_signed_context

_LOGGER = logging.getLogger(__name__)

FaultKind = Literal["none", "latency", "http500", "garbage", "drop", "offline"]
FAULT_KINDS: Final[tuple[str, ...]] = get_args(FaultKind)
SHUTDOWN_TIMEOUT: Final = 1.0
WAIT_TIMEOUT: Final = 30.0
# /sim/config: setting name -> accepted types (bool is never an int here).
_SETTABLE: Final[dict[str, tuple[type, ...]]] = {
    "cti_enabled": (bool,),
    "allowed_ips": (list, tuple),
    "popup_confirmation": (bool,),
    "popup_timeout": (int, float),
    "denial_style": (str,),
    "passcode": (str,),
    "user_passcode": (str,),
    "admin_username": (str,),
    "user_username": (str,),
    "call_connect_delay": (int, float),
    "reboot_seconds": (int, float),
    "model_define": (bool,),
    "session_api": (bool,),
    "user_web_access": (bool,),
    "single_session": (bool,),
    "session_idle_seconds": (int, float),
    "lockout_attempts": (int,),
    "lockout_minutes": (int,),
    "click_to_dial": (bool,),
}


@dataclass
class Faults:
    """The current transport fault of the phone-side API."""

    kind: FaultKind = "none"
    # latency: delay of every answer; offline: how long (0 = until cleared).
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the fault as JSON data."""
        return {"kind": self.kind, "seconds": self.seconds}


def resolve(config: SimulatorConfig) -> tuple[SimulatorConfig, Profile]:
    """Return a copy of `config` with the profile's defaults filled in."""
    profile = PROFILES.get(config.profile)
    if profile is None:
        raise ValueError(
            f"Unknown profile {config.profile!r}; known: {', '.join(PROFILES)}"
        )
    config = replace(config)
    config.model = config.model or profile.model
    config.firmware = config.firmware or profile.firmware
    profile = profile.for_firmware(config.firmware)
    if config.ssl is None:
        config.ssl = profile.ssl
    if config.single_session is None:
        config.single_session = profile.single_session
    return config, profile


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


class PhoneSimulator:
    """A fake Grandstream phone: state machine, CTI and web APIs, control API."""

    def __init__(
        self, config: SimulatorConfig | None = None, *, clock: SimClock | None = None
    ) -> None:
        """Build the phone (no I/O; `start` serves it)."""
        self.config, self.profile = resolve(config or SimulatorConfig())
        model = self.config.model or self.profile.model
        preset = MODELS.get(model)
        if preset is None:
            raise ValueError(f"Unknown model {model!r}; known: {', '.join(MODELS)}")
        if clock is None:
            clock = SimClock.manual() if self.config.manual_clock else SimClock()
        self.clock = clock
        accounts = (
            None
            if self.config.accounts is None
            else accounts_from(self.config.accounts, preset.accounts)
        )
        self.phone = Phone(
            preset,
            accounts=accounts,
            mac=self.config.mac,
            firmware=self.config.firmware or self.profile.firmware,
            call_connect_delay=self.config.call_connect_delay,
            reboot_seconds=self.config.reboot_seconds,
            clock=clock,
            lines=self.profile.lines,
            handset=self.profile.handset,
        )
        self.quirks = Quirks()
        self.quirks.update(dict(self.config.quirks))
        self.faults = Faults()
        self.requests: list[dict[str, Any]] = []
        self.tripwires: list[dict[str, str]] = []
        self.sessions = SessionManager(self.config, clock)
        self.handset = Handset()
        self.pusher = ActionUrlPusher(self.config.action_url)
        self.store: ConfigStore = build_store(
            self.phone, self.config, self.pusher, handset=self.profile.handset
        )
        self.phone.listeners.append(self._on_event)
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._confirmations: deque[asyncio.Future[bool]] = deque()
        self._pauses: set[asyncio.Future[bool]] = set()
        self._watchers: list[asyncio.Future[None]] = []
        self._fault_timer: Timer | None = None

    # ------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """Return the phone's base URL (http or https)."""
        scheme = "https" if self.config.ssl else "http"
        return f"{scheme}://{self.phone_ip}:{self.port}"

    @property
    def phone_ip(self) -> str:
        """Return the address the phone reports (`$phone_ip`)."""
        return "127.0.0.1" if self.host in {"", "0.0.0.0", "::"} else self.host  # noqa: S104

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the phone on host:port (port 0: a free one, see `port`)."""
        app = web.Application(middlewares=[self._server_header])
        app.add_routes(control_routes(self))
        app.add_routes(cgi_routes(self))
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await self._runner.setup()
        ssl_context = (
            self_signed_context(self.phone.model, (host,)) if self.config.ssl else None
        )
        site = web.TCPSite(self._runner, host, port, ssl_context=ssl_context)
        await site.start()
        self.host = host
        self.port = int(self._runner.addresses[0][1])
        _LOGGER.debug("Simulated %s at %s", self.phone.model, self.url)

    async def stop(self) -> None:
        """Stop serving and cancel every timer and task the simulator made."""
        self._stopping.set()
        while self._confirmations:
            _settle(self._confirmations.popleft(), False)
        for future in list(self._pauses):
            _settle(future, True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.phone.close()
        self.clock.cancel_all()
        await self.pusher.close()

    @web.middleware
    async def _server_header(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        """Name the phone family in every answer's `Server` header, like the phone."""
        try:
            response = await handler(request)
        except web.HTTPException as err:
            err.headers["Server"] = self.phone.preset.family
            raise
        response.headers["Server"] = self.phone.preset.family
        return response

    # --------------------------------------------------------- used by routes

    def is_offline(self) -> bool:
        """Return True while the phone does not answer (rebooting, offline fault)."""
        return self.phone.rebooting or self.faults.kind == "offline"

    def log_request(
        self, function: str, params: dict[str, str], method: str
    ) -> dict[str, Any]:
        """Record one `/cgi-bin` request (secrets already removed); return it."""
        entry: dict[str, Any] = {
            "function": function,
            "params": params,
            "method": method,
            "auth": "none",
        }
        self.requests.append(entry)
        self.notify()
        return entry

    def record_tripwire(self, hit: dict[str, str]) -> None:
        """Record a call that must never happen (see tripwires.py)."""
        _LOGGER.warning("Tripwire: %s", hit)
        self.tripwires.append(hit)
        self.notify()

    @property
    def auth_failures(self) -> int:
        """Return how many password checks failed (passcode API and logins)."""
        return self.sessions.total_failures

    @property
    def failed_logins(self) -> dict[str, int]:
        """Return failed password checks per account (a wrong passcode: admin)."""
        return dict(self.sessions.failed_logins)

    @property
    def password_requests(self) -> list[dict[str, Any]]:
        """Return every request that carried a password, in order."""
        return self.sessions.password_requests

    async def pause(self, seconds: float) -> bool:
        """Wait `seconds` of simulator time (cut short by `stop`); True if stopping."""
        if self._stopping.is_set():
            return True
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        timer = self.clock.call_later(seconds, lambda: _settle(future, False))
        self._pauses.add(future)
        self.notify()
        try:
            return await future
        finally:
            timer.cancel()
            self._pauses.discard(future)

    @property
    def pausing(self) -> int:
        """Return how many requests the latency fault holds back now."""
        return sum(not future.done() for future in self._pauses)

    async def wait_confirmation(self) -> bool:
        """Wait for OK on the pop-up (`confirm`); False on cancel or timeout."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        timer = self.clock.call_later(
            self.config.popup_timeout, lambda: _settle(future, False)
        )
        self._confirmations.append(future)
        self.notify()
        try:
            return await future
        finally:
            timer.cancel()
            if future in self._confirmations:
                self._confirmations.remove(future)

    def confirm(self, accept: bool = True) -> bool:
        """Press OK (or Cancel) on the oldest pop-up; False if none is shown."""
        while self._confirmations:
            future = self._confirmations.popleft()
            if not future.done():
                future.set_result(accept)
                return True
        return False

    @property
    def pending_confirmations(self) -> int:
        """Return how many commands wait for the pop-up."""
        return sum(not future.done() for future in self._confirmations)

    def notify(self) -> None:
        """Wake `wait_until` callers (something happened)."""
        watchers, self._watchers = self._watchers, []
        for future in watchers:
            if not future.done():
                future.set_result(None)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = WAIT_TIMEOUT,  # noqa: ASYNC109 - a safety net, not timing
    ) -> None:
        """Wait until `predicate()` holds, re-checking whenever the phone acts.

        The phone acts on: a logged request, a held or pop-up request, an
        event, a tripwire. For tests: no polling, no sleeping.
        """
        async with asyncio.timeout(timeout):
            while not predicate():
                future: asyncio.Future[None] = (
                    asyncio.get_running_loop().create_future()
                )
                self._watchers.append(future)
                await future

    # --------------------------------------------------------- control side

    def set_fault(self, kind: str, seconds: float = 0.0) -> None:
        """Switch a fault on (`none` clears it); offline with seconds > 0 ends itself."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        self._cancel_fault_timer()
        self.faults = Faults(cast("FaultKind", kind), float(seconds))
        if kind == "offline" and seconds > 0:
            self._fault_timer = self.clock.call_later(seconds, self._clear_fault)

    def _clear_fault(self) -> None:
        self._fault_timer = None
        self.faults = Faults()

    def _cancel_fault_timer(self) -> None:
        if self._fault_timer is not None:
            self._fault_timer.cancel()
            self._fault_timer = None

    def set_action_url(
        self, url: str | None = None, urls: dict[str, str] | None = None
    ) -> None:
        """Set the base push URL ("" = off) and/or replace every slot's template.

        This is the owner's hand on the phone: no 256-character check here
        (the phone still drops over-long URLs when it sends them).
        """
        if urls is not None:
            self.pusher.set_templates(urls)
        if url is not None:
            self.pusher.base_url = url
            self.config.action_url = url or None

    def update_config(self, values: dict[str, Any]) -> None:
        """Change settings at run time (`POST /sim/config`)."""
        for name, value in values.items():
            if name not in _SETTABLE:
                raise ValueError(f"Unknown or read-only setting {name!r}")
            types = _SETTABLE[name]
            if not isinstance(value, types) or (
                isinstance(value, bool) and bool not in types
            ):
                raise ValueError(f"Bad value for {name}: {value!r}")
        if values.get("denial_style", self.config.denial_style) not in DENIAL_STYLES:
            raise ValueError("denial_style must be http403 or failed")
        for name, value in values.items():
            setattr(
                self.config,
                name,
                tuple(str(item) for item in value) if name == "allowed_ips" else value,
            )
        self.phone.call_connect_delay = self.config.call_connect_delay
        self.phone.reboot_seconds = self.config.reboot_seconds

    def state(self) -> dict[str, Any]:
        """Return the whole state as JSON data (`GET /sim/state`); no secrets."""
        return {
            **self.phone.snapshot(),
            "profile": self.profile.name,
            "phone_status": self.phone.status(),
            "online": not self.is_offline(),
            "url": self.url,
            "clock": {"now": self.clock.now(), "offset": self.clock.offset},
            "faults": self.faults.as_dict(),
            "quirks": self.quirks.as_dict(),
            "config": self.config.public(),
            "action_url": {
                "url": self.pusher.base_url,
                "urls": {
                    str(key): value for key, value in self.pusher.templates.items()
                },
                "slots": public_slots(self.store),
                "sent": len(self.pusher.sent),
                "dropped": len(self.pusher.dropped),
            },
            "config_store": self.store.dump(),
            **self.sessions.public(),
            "handset": self.handset.as_dict(self.phone)
            if self.profile.handset
            else None,
            "tripwires": list(self.tripwires),
            "pending_confirmations": self.pending_confirmations,
            "auth_failures": self.auth_failures,
            "requests": len(self.requests),
            "events": [event.as_dict() for event in self.phone.events[-50:]],
        }

    def _on_event(self, event: PhoneEvent) -> None:
        self.pusher.emit(event.event, {"phone_ip": self.phone_ip, **event.variables})
        self.notify()
