"""PhoneSimulator: one simulated phone served by aiohttp."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
import logging
from typing import Any, Final, Literal, cast, get_args

from aiohttp import web
from aiohttp.typedefs import Handler

from .config import SimulatorConfig
from .control_routes import control_routes
from .cti_routes import cti_routes
from .phone import Phone, PhoneEvent, accounts_from
from .presets import MODELS
from .push import ActionUrlPusher
from .render import Quirks
from .tls import self_signed_context

_LOGGER = logging.getLogger(__name__)

FaultKind = Literal["none", "latency", "http500", "garbage", "drop", "offline"]
FAULT_KINDS: Final[tuple[str, ...]] = get_args(FaultKind)
SHUTDOWN_TIMEOUT: Final = 1.0


@dataclass
class Faults:
    """The current transport fault of the phone-side API."""

    kind: FaultKind = "none"
    # latency: delay of every answer; offline: how long (0 = until cleared).
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the fault as JSON data."""
        return {"kind": self.kind, "seconds": self.seconds}


class PhoneSimulator:
    """A fake Grandstream phone: state machine, CTI API and control API."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        """Build the phone (no I/O; `start` serves it)."""
        self.config = config if config is not None else SimulatorConfig()
        preset = MODELS.get(self.config.model)
        if preset is None:
            raise ValueError(
                f"Unknown model {self.config.model!r}; known: {', '.join(MODELS)}"
            )
        accounts = (
            None
            if self.config.accounts is None
            else accounts_from(self.config.accounts, preset.accounts)
        )
        self.phone = Phone(
            preset,
            accounts=accounts,
            mac=self.config.mac,
            firmware=self.config.firmware,
            call_connect_delay=self.config.call_connect_delay,
            reboot_seconds=self.config.reboot_seconds,
        )
        self.quirks = Quirks()
        self.quirks.update(dict(self.config.quirks))
        self.faults = Faults()
        self.requests: list[dict[str, Any]] = []
        self.auth_failures = 0
        self.pusher = ActionUrlPusher(self.config.action_url)
        self.phone.listeners.append(self._on_event)
        self.host = "127.0.0.1"
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._confirmations: deque[asyncio.Future[bool]] = deque()
        self._fault_timer: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """Return the phone's base URL (http or https)."""
        scheme = "https" if self.config.ssl else "http"
        host = self.phone_ip
        return f"{scheme}://{host}:{self.port}"

    @property
    def phone_ip(self) -> str:
        """Return the address the phone reports (`$phone_ip`)."""
        return "127.0.0.1" if self.host in {"", "0.0.0.0", "::"} else self.host  # noqa: S104

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve the phone on host:port (port 0: a free one, see `port`)."""
        app = web.Application(middlewares=[self._server_header])
        app.add_routes(control_routes(self))
        app.add_routes(cti_routes(self))
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
            future = self._confirmations.popleft()
            if not future.done():
                future.set_result(False)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.phone.close()
        self._cancel_fault_timer()
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

    def log_request(self, function: str, params: dict[str, str], method: str) -> None:
        """Record one CTI request (secrets already removed)."""
        self.requests.append({"function": function, "params": params, "method": method})

    async def pause(self, seconds: float) -> bool:
        """Sleep `seconds` (cut short by `stop`); return True if stopping."""
        try:
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        except TimeoutError:
            return False
        return True

    async def wait_confirmation(self) -> bool:
        """Wait for OK on the pop-up (`confirm`); False on cancel or timeout."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._confirmations.append(future)
        try:
            async with asyncio.timeout(self.config.popup_timeout):
                return await future
        except TimeoutError:
            return False
        finally:
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

    def model_define(self) -> dict[str, Any]:
        """Return the model.define.js document (JSON, as the phones serve it)."""
        preset = self.phone.preset
        return {
            "model": preset.model,
            "vendor_name": "Grandstream",
            "num_accounts": preset.accounts,
            "num_lines": preset.lines,
            "firmware": self.phone.firmware,
            "mac": self.phone.mac,
        }

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
            loop = asyncio.get_running_loop()
            self._fault_timer = loop.call_later(seconds, self._clear_fault)

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
        """Set the base push URL ("" = off) and/or the per-event templates."""
        if urls is not None:
            self.pusher.set_templates(urls)
        if url is not None:
            self.pusher.base_url = url
            self.config.action_url = url or None

    def update_config(self, values: dict[str, Any]) -> None:
        """Change settings at run time (`POST /sim/config`)."""
        config = self.config
        checks: dict[str, tuple[type, ...]] = {
            "cti_enabled": (bool,),
            "allowed_ips": (list, tuple),
            "popup_confirmation": (bool,),
            "popup_timeout": (int, float),
            "denial_style": (str,),
            "passcode": (str,),
            "user_passcode": (str,),
            "call_connect_delay": (int, float),
            "reboot_seconds": (int, float),
            "model_define": (bool,),
        }
        for name, value in values.items():
            if name not in checks:
                raise ValueError(f"Unknown or read-only setting {name!r}")
            if not isinstance(value, checks[name]) or (
                isinstance(value, bool) and bool not in checks[name]
            ):
                raise ValueError(f"Bad value for {name}: {value!r}")
        if values.get("denial_style", config.denial_style) not in {"http403", "failed"}:
            raise ValueError("denial_style must be http403 or failed")
        for name, value in values.items():
            setattr(
                config,
                name,
                tuple(str(item) for item in value) if name == "allowed_ips" else value,
            )
        self.phone.call_connect_delay = config.call_connect_delay
        self.phone.reboot_seconds = config.reboot_seconds

    def state(self) -> dict[str, Any]:
        """Return the whole state as JSON data (`GET /sim/state`)."""
        return {
            **self.phone.snapshot(),
            "phone_status": str(self.phone.status()),
            "online": not self.is_offline(),
            "url": self.url,
            "faults": self.faults.as_dict(),
            "quirks": self.quirks.as_dict(),
            "config": self.config.public(),
            "action_url": {
                "url": self.pusher.base_url,
                "urls": {
                    str(key): value for key, value in self.pusher.templates.items()
                },
                "sent": len(self.pusher.sent),
                "dropped": len(self.pusher.dropped),
            },
            "pending_confirmations": self.pending_confirmations,
            "auth_failures": self.auth_failures,
            "requests": len(self.requests),
            "events": [event.as_dict() for event in self.phone.events[-50:]],
        }

    def _on_event(self, event: PhoneEvent) -> None:
        self.pusher.emit(event.event, {"phone_ip": self.phone_ip, **event.variables})
