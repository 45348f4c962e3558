"""PhoneSimulator: one simulated phone served by aiohttp.

This is glue: it builds the phone's parts (state machine, sessions, config
store, handset, faults, pop-up, request log, Action URL pusher), hands each
route group the parts it uses, and serves them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
import logging
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler

from .activity import WAIT_TIMEOUT, Activity, RequestLog
from .cgi import CgiApp
from .clock import SimClock
from .config import SimulatorConfig, apply_settings
from .config_store import ConfigStore, build_store, public_slots
from .control_routes import ControlApi
from .cti_routes import CtiFunctions
from .faults import Faults
from .handset import Handset
from .phone import Phone, PhoneEvent, accounts_from
from .popup import Popup
from .presets import MODELS
from .profiles import PROFILES, Profile
from .push import ActionUrlPusher
from .render import Quirks
from .session import SessionManager
from .session_routes import SessionEndpoints
from .tls import self_signed_context

_LOGGER = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT: Final = 1.0


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
        self.activity = Activity()
        self.log = RequestLog(self.activity)
        self.faults = Faults(clock, self.phone, self.activity)
        self.popup = Popup(clock, self.config, self.activity)
        self.sessions = SessionManager(
            self.config, clock, nonce_per_user=self.profile.nonce_per_user
        )
        self.handset = Handset(
            battery_health_field=self.profile.battery_health,
            cert_need_field=self.profile.wifi_cert_need,
        )
        self.pusher = ActionUrlPusher(
            self.config.action_url, self.profile.action_url_events
        )
        self.store: ConfigStore = build_store(
            self.phone, self.config, self.pusher, self.profile
        )
        self.phone.listeners.append(self._on_event)
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None

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

    def build_app(self) -> web.Application:
        """Return the aiohttp application: control API and the phone's own side."""
        cgi = CgiApp(
            profile=self.profile,
            config=self.config,
            quirks=self.quirks,
            phone=self.phone,
            sessions=self.sessions,
            faults=self.faults,
            log=self.log,
            popup=self.popup,
            cti=CtiFunctions(self.phone, self.config),
            web_api=SessionEndpoints(
                profile=self.profile,
                config=self.config,
                sessions=self.sessions,
                store=self.store,
                phone=self.phone,
                handset=self.handset,
            ),
        )
        control = ControlApi(
            profile=self.profile,
            config=self.config,
            phone=self.phone,
            clock=self.clock,
            quirks=self.quirks,
            faults=self.faults,
            popup=self.popup,
            log=self.log,
            sessions=self.sessions,
            store=self.store,
            pusher=self.pusher,
            handset=self.handset,
            state=self.state,
        )
        app = web.Application(middlewares=[self._server_header])
        app.add_routes(control.routes())
        app.add_routes(cgi.routes())
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the phone on host:port (port 0: a free one, see `port`)."""
        self._runner = web.AppRunner(
            self.build_app(), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
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
        self.popup.stop()
        self.faults.stop()
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

    # ------------------------------------------------- for tests and tools

    def is_offline(self) -> bool:
        """Return True while the phone does not answer (rebooting, offline fault)."""
        return self.faults.away()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Return the `/cgi-bin` request log (= GET /sim/log)."""
        return self.log.requests

    @property
    def tripwires(self) -> list[dict[str, str]]:
        """Return the never-call requests seen (see tripwires.py)."""
        return self.log.tripwires

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

    @property
    def pausing(self) -> int:
        """Return how many requests the latency fault holds back now."""
        return self.faults.pausing

    def confirm(self, accept: bool = True) -> bool:
        """Press OK (or Cancel) on the oldest pop-up; False if none is shown."""
        return self.popup.confirm(accept)

    @property
    def pending_confirmations(self) -> int:
        """Return how many commands wait for the pop-up."""
        return self.popup.pending

    def notify(self) -> None:
        """Wake `wait_until` callers (something happened)."""
        self.activity.notify()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = WAIT_TIMEOUT,  # noqa: ASYNC109 - a safety net, not timing
    ) -> None:
        """Wait until `predicate()` holds, re-checking whenever the phone acts.

        The phone acts on: a logged request, a held or pop-up request, an
        event, a tripwire. For tests: no polling, no sleeping.
        """
        await self.activity.wait_until(predicate, timeout)

    def set_fault(self, kind: str, seconds: float = 0.0) -> None:
        """Switch a fault on (`none` clears it); offline with seconds > 0 ends itself."""
        self.faults.set(kind, seconds)

    def set_action_url(
        self, url: str | None = None, urls: dict[str, str] | None = None
    ) -> None:
        """Set the base push URL ("" = off) and/or replace every slot's template."""
        self.pusher.configure(url, urls)
        if url is not None:
            self.config.action_url = url or None

    def update_config(self, values: dict[str, Any]) -> None:
        """Change settings at run time (`POST /sim/config`)."""
        apply_settings(self.config, self.phone, values)

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
                **self.pusher.public(),
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
        self.activity.notify()
