#!/usr/bin/env python3
"""Make a running Home Assistant a ready demo of the Grandstream integration.

Does what a user would, through Home Assistant's HTTP and websocket APIs:
onboarding (a local user), the local network URL (so the phones can reach
Home Assistant), the simulated phones added through the config flow — a
GRP2614 desk phone (HTTP) and a WP826 Wi-Fi handset (HTTPS, self-signed) —
and a "Phone" dashboard. Nobody pastes Action URLs: both phones have the web
session API, so each entry writes its own into the phone's slots; this
script checks that they arrived (the simulator's /sim/action_url).
Idempotent: run it again and it logs in and reuses what is there.

Started by ``scripts/develop --demo`` once Home Assistant runs; by hand:

    .venv/bin/python scripts/demo_setup.py [--url http://127.0.0.1:8123]
        [--simulator http://127.0.0.1:8080] [--wp826 https://127.0.0.1:8081]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
import os
import sys
import time
from typing import Any, Final

import aiohttp
from yarl import URL

DOMAIN: Final = "grandstream_cti"
DEFAULT_URL: Final = "http://127.0.0.1:8123"
DEFAULT_SIMULATOR: Final = "http://127.0.0.1:8080"
DEFAULT_WP826: Final = "https://127.0.0.1:8081"
DEMO_NAME: Final = "Demo"
DEMO_USERNAME: Final = "demo"
DEMO_PASSWORD: Final = "demo-phone"  # a throwaway local demo account
DASHBOARD: Final = "phone-demo"
RING_EXAMPLE: Final = '{"number": "+15555550100", "name": "Alice"}'
# Next to the ring example: why its name shows nowhere.
CALLER_NAME_NOTE: Final = (
    "Like real firmware, the simulated phones show no caller name: Home Assistant "
    "gets the number."
)
# Seconds to wait for an entry's Action URLs to show up in the phone's slots
# (the entry writes them in the background once it is set up).
PUSH_WAIT: Final = 20


class DemoError(Exception):
    """Something the demo needs did not work."""


def log(message: str) -> None:
    """Print one progress line."""
    print(f"demo_setup: {message}", flush=True)


@dataclass(frozen=True)
class PhoneSpec:
    """One simulated phone to add: its label and URL (also its control API's)."""

    label: str  # the model: GRP2614, WP826
    url: str  # http(s)://host:port

    @property
    def host(self) -> str:
        """Return the phone's host."""
        return URL(self.url).host or "127.0.0.1"

    @property
    def port(self) -> int:
        """Return the phone's port."""
        return URL(self.url).port or 80

    @property
    def ssl(self) -> bool:
        """Return True for a phone on HTTPS."""
        return URL(self.url).scheme == "https"

    @property
    def handset(self) -> bool:
        """Return True for a Wi-Fi handset (battery and Wi-Fi sensors)."""
        return self.label.upper().startswith("WP")


@dataclass(frozen=True)
class Options:
    """What to provision, from the command line."""

    url: str
    phones: tuple[PhoneSpec, ...]
    phone_username: str
    phone_password: str
    name: str
    username: str
    password: str
    timeout: float
    wait_pid: int | None
    ha_log: str | None = None

    @property
    def client_id(self) -> str:
        """Return the OAuth client id: Home Assistant's own frontend."""
        return f"{self.url}/"


class HomeAssistantApi:
    """The REST API with a bearer token."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Keep the session, base URL and token."""
        self._session = session
        self._url = url
        self.token = token

    async def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON answer."""
        async with self._session.request(
            method,
            f"{self._url}{path}",
            json=json,
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
        ) as resp:
            if resp.status >= 400:
                raise DemoError(
                    f"{method} {path}: HTTP {resp.status} {await resp.text()}"
                )
            if resp.content_type == "application/json":
                return await resp.json()
            return await resp.text()

    async def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET a path."""
        return await self.request("GET", path, params=params)

    async def post(self, path: str, json: Any = None) -> Any:
        """POST JSON to a path."""
        return await self.request("POST", path, json=json if json is not None else {})


class Websocket:
    """Home Assistant's websocket API: one command at a time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Keep the authenticated connection."""
        self._ws = ws
        self._id = 0

    @classmethod
    async def connect(
        cls, session: aiohttp.ClientSession, url: str, token: str
    ) -> Websocket:
        """Connect and authenticate."""
        ws = await session.ws_connect(
            f"{url.replace('http', 'ws', 1)}/api/websocket", max_msg_size=0
        )
        hello = await ws.receive_json(timeout=30)
        if hello.get("type") != "auth_required":
            raise DemoError(f"unexpected websocket greeting: {hello}")
        await ws.send_json({"type": "auth", "access_token": token})
        answer = await ws.receive_json(timeout=30)
        if answer.get("type") != "auth_ok":
            raise DemoError(f"websocket authentication failed: {answer}")
        return cls(ws)

    async def call(self, command: str, **data: Any) -> Any:
        """Run one command and return its result."""
        self._id += 1
        await self._ws.send_json({"id": self._id, "type": command, **data})
        while True:
            msg = await self._ws.receive_json(timeout=60)
            if msg.get("id") == self._id and msg.get("type") == "result":
                break
        if not msg.get("success"):
            raise DemoError(f"{command}: {msg.get('error')}")
        return msg.get("result")

    async def close(self) -> None:
        """Close the connection."""
        await self._ws.close()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def wait_for_home_assistant(
    session: aiohttp.ClientSession, opts: Options
) -> list[dict[str, Any]]:
    """Wait until Home Assistant answers; return the onboarding steps."""
    started = time.monotonic()
    last_note = started
    while True:
        try:
            async with session.get(
                f"{opts.url}/api/onboarding", timeout=aiohttp.ClientTimeout(total=10)
            ) as resp:
                if resp.status == 200:
                    steps: list[dict[str, Any]] = await resp.json()
                    log(
                        f"Home Assistant answers (after {time.monotonic() - started:.0f} s)"
                    )
                    return steps
                if resp.status == 404:  # onboarded: the view is gone
                    log("Home Assistant answers (already onboarded)")
                    return []
        except (aiohttp.ClientError, TimeoutError):
            pass
        if opts.wait_pid is not None and not _process_alive(opts.wait_pid):
            raise DemoError("Home Assistant stopped before it answered (see its log)")
        now = time.monotonic()
        if now - started > opts.timeout:
            raise DemoError(
                f"Home Assistant did not answer within {opts.timeout:.0f} s"
            )
        if now - last_note >= 30:
            log(f"still waiting for {opts.url} ({now - started:.0f} s)")
            last_note = now
        await asyncio.sleep(2)


async def _post_json(
    session: aiohttp.ClientSession, url: str, data: dict[str, Any]
) -> Any:
    async with session.post(url, json=data) as resp:
        if resp.status >= 400:
            raise DemoError(f"POST {url}: HTTP {resp.status} {await resp.text()}")
        return await resp.json()


async def _login(session: aiohttp.ClientSession, opts: Options) -> str:
    """Log in with the demo credentials through the login flow; return a code."""
    flow = await _post_json(
        session,
        f"{opts.url}/auth/login_flow",
        {
            "client_id": opts.client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{opts.client_id}?auth_callback=1",
        },
    )
    result = await _post_json(
        session,
        f"{opts.url}/auth/login_flow/{flow['flow_id']}",
        {
            "client_id": opts.client_id,
            "username": opts.username,
            "password": opts.password,
        },
    )
    if result.get("type") != "create_entry":
        raise DemoError(
            f"cannot log in as {opts.username!r} ({result.get('errors')}); this "
            "instance was onboarded with other credentials: use --username/--password "
            "or start over with scripts/develop --demo --reset"
        )
    return str(result["result"])


async def _token(session: aiohttp.ClientSession, opts: Options, code: str) -> str:
    async with session.post(
        f"{opts.url}/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": opts.client_id,
        },
    ) as resp:
        if resp.status != 200:
            raise DemoError(
                f"token exchange failed: HTTP {resp.status} {await resp.text()}"
            )
        return str((await resp.json())["access_token"])


async def onboard(
    session: aiohttp.ClientSession, opts: Options, steps: list[dict[str, Any]]
) -> HomeAssistantApi:
    """Finish onboarding with the demo user (or log in); return the API."""
    done = {step["step"] for step in steps if step["done"]}
    if steps and "user" not in done:
        answer = await _post_json(
            session,
            f"{opts.url}/api/onboarding/users",
            {
                "client_id": opts.client_id,
                "name": opts.name,
                "username": opts.username,
                "password": opts.password,
                "language": "en",
            },
        )
        code = str(answer["auth_code"])
        log(f"created the user {opts.username!r}")
    else:
        code = await _login(session, opts)
        log(f"logged in as {opts.username!r}")
    api = HomeAssistantApi(session, opts.url, await _token(session, opts, code))
    for step in ("core_config", "analytics"):
        if steps and step not in done:
            await api.post(f"/api/onboarding/{step}")
    if steps and "integration" not in done:
        await api.post(
            "/api/onboarding/integration",
            {
                "client_id": opts.client_id,
                "redirect_uri": f"{opts.client_id}?auth_callback=1",
            },
        )
    if steps and len(done) < len(steps):
        log("onboarding done")
    return api


async def wait_until_running(api: HomeAssistantApi, limit: float) -> None:
    """Wait until Home Assistant has started (all integrations set up)."""
    deadline = time.monotonic() + limit
    while (state := (await api.get("/api/config")).get("state")) != "RUNNING":
        if time.monotonic() > deadline:
            raise DemoError(f"Home Assistant still {state} after {limit:.0f} s")
        await asyncio.sleep(1)


async def set_core_config(ws: Websocket, url: str) -> None:
    """Set the local network URL (and a country, as onboarding would).

    Each entry builds the Action URLs it writes into its phone from the local
    URL. Home Assistant listens on loopback only, so the URL it would guess
    (this machine's network address) would not answer.
    """
    config = await ws.call("get_config")
    changes: dict[str, str] = {}
    if config.get("internal_url") != url:
        changes["internal_url"] = url
    if not config.get("country"):
        changes["country"] = "US"
    if changes:
        await ws.call("config/core/update", **changes)
        log("set " + ", ".join(f"{key} {value}" for key, value in changes.items()))


async def _entries(api: HomeAssistantApi) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = await api.get(
        "/api/config/config_entries/entry", params={"domain": DOMAIN}
    )
    return entries


def _same_origin(first: str | None, second: str) -> bool:
    """Return True when two URLs name the same scheme, host and port."""
    if not first:
        return False
    one, two = URL(first), URL(second)
    return (one.scheme, one.host, one.port) == (two.scheme, two.host, two.port)


async def find_entry(
    ws: Websocket, api: HomeAssistantApi, phone: PhoneSpec
) -> str | None:
    """Return the entry of a phone added earlier: its device links to the phone."""
    entries = {entry["entry_id"] for entry in await _entries(api)}
    devices: list[dict[str, Any]] = await ws.call("config/device_registry/list")
    for device in devices:
        if _same_origin(device.get("configuration_url"), phone.url):
            for entry_id in device.get("config_entries") or []:
                if entry_id in entries:
                    return str(entry_id)
    return None


def _print_urls(result: dict[str, Any]) -> None:
    urls = (result.get("description_placeholders") or {}).get("urls")
    if urls:
        log("the phone's Action URLs, as the flow shows them:")
        for line in str(urls).splitlines():
            print(f"    {line}", flush=True)


async def add_phone(
    ws: Websocket, api: HomeAssistantApi, opts: Options, phone: PhoneSpec
) -> str:
    """Add a simulated phone through the config flow; return its entry id."""
    if entry_id := await find_entry(ws, api, phone):
        log(f"the {phone.label} at {phone.url} is already added")
        return entry_id
    result = await api.post(
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "show_advanced_options": False},
    )
    connection = {
        "host": phone.host,
        "port": phone.port,
        "ssl": phone.ssl,
        "verify_ssl": False,  # the phones' self-signed certificate
        "username": opts.phone_username,
        "password": opts.phone_password,
    }
    for _ in range(5):  # user, then (passcode-only phones) action_urls
        kind = result.get("type")
        if kind == "create_entry":
            entry_id = str(result["result"]["entry_id"])
            log(f"added the {phone.label}: {result.get('title')}")
            return entry_id
        if kind == "abort" and result.get("reason") == "already_configured":
            # The flow knows the phone: an entry at this address, or one with
            # its MAC (which the flow has just moved to this address).
            return await _entry_by_title(api, phone)
        if kind != "form":
            raise DemoError(
                f"adding the {phone.label} ended with {kind}: {result.get('reason')}"
            )
        if result.get("errors"):
            raise DemoError(f"the {phone.label}'s form says {result['errors']}")
        step = result.get("step_id")
        if step == "user":
            user_input: dict[str, Any] = connection
        else:
            required = [
                field["name"]
                for field in result.get("data_schema") or []
                if field.get("required") and "default" not in field
            ]
            if required:
                raise DemoError(f"unexpected step {step!r} asks for {required}")
            # Only a passcode-only phone gets here: its URLs are pasted by hand.
            _print_urls(result)
            user_input = {}
        result = await api.post(
            f"/api/config/config_entries/flow/{result['flow_id']}", user_input
        )
    raise DemoError(f"the config flow for the {phone.label} did not finish")


async def _entry_by_title(api: HomeAssistantApi, phone: PhoneSpec) -> str:
    """Return the one entry whose title names the phone's model."""
    found = [
        entry
        for entry in await _entries(api)
        if str(entry.get("title", "")).upper().startswith(phone.label.upper())
    ]
    if len(found) != 1:
        raise DemoError(
            f"the config flow says the {phone.label} at {phone.url} is already "
            "added, but no entry's title tells which one it is; delete it or start "
            "over with scripts/develop --demo --reset"
        )
    log(
        f"the {phone.label} is already added ({found[0]['title']}); the config flow "
        f"knows it by its address or MAC, and has it at {phone.url}"
    )
    return str(found[0]["entry_id"])


async def wait_loaded(api: HomeAssistantApi, entry_id: str, limit: float = 60) -> None:
    """Wait until the phone's entry is set up."""
    deadline = time.monotonic() + limit
    while True:
        entry = next(
            (e for e in await _entries(api) if e["entry_id"] == entry_id), None
        )
        state = entry and entry.get("state")
        if state == "loaded":
            return
        if time.monotonic() > deadline:
            reason = entry and entry.get("reason")
            raise DemoError(f"the phone is {state} ({reason}), not loaded")
        await asyncio.sleep(1)


async def _pushed_slots(
    session: aiohttp.ClientSession, opts: Options, phone: PhoneSpec
) -> dict[str, str]:
    """Return the phone's Action URL slots that point at Home Assistant's webhooks."""
    async with session.get(
        f"{phone.url}/sim/action_url",
        ssl=False,  # the simulated WP826's self-signed certificate
        timeout=aiohttp.ClientTimeout(total=10),
    ) as resp:
        if resp.status != 200:
            raise DemoError(
                f"GET {phone.url}/sim/action_url: HTTP {resp.status} "
                f"{await resp.text()}"
            )
        slots: dict[str, str] = (await resp.json()).get("slots") or {}
    prefix = f"{opts.url}/api/webhook/"
    return {slot: url for slot, url in slots.items() if url.startswith(prefix)}


async def _wait_pushed(
    session: aiohttp.ClientSession, opts: Options, phone: PhoneSpec
) -> dict[str, str]:
    deadline = time.monotonic() + PUSH_WAIT
    while not (slots := await _pushed_slots(session, opts, phone)):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    return slots


async def check_push(
    session: aiohttp.ClientSession,
    api: HomeAssistantApi,
    opts: Options,
    phone: PhoneSpec,
    entry_id: str,
) -> bool:
    """Check that the entry wrote its Action URLs into the phone's slots.

    An entry writes them when it is set up, from the local URL it finds
    then: one set up before that URL was right is reloaded once.
    """
    slots = await _wait_pushed(session, opts, phone)
    if not slots:
        log(f"the {phone.label}'s Action URL slots are empty: reloading its entry")
        await api.post(f"/api/config/config_entries/entry/{entry_id}/reload")
        await wait_loaded(api, entry_id)
        slots = await _wait_pushed(session, opts, phone)
    if not slots:
        log(
            f"WARNING: the {phone.label} got no Action URLs from Home Assistant "
            f"({phone.url}/sim/action_url); push is not set up, the dashboard "
            "follows it by polling"
        )
        return False
    example = next(iter(slots.values())).split("?", 1)[0]
    log(
        f"push set up: the {phone.label}'s entry wrote {len(slots)} Action URL "
        f"slots ({', '.join(sorted(slots))}) pointing at {example}"
    )
    return True


async def report_issues(ws: Websocket) -> None:
    """Log the integration's repair issues, if any (they say what is wrong)."""
    answer = await ws.call("repairs/list_issues")
    for issue in answer.get("issues") or []:
        if issue.get("domain") == DOMAIN and not issue.get("dismissed_version"):
            placeholders = issue.get("translation_placeholders") or {}
            log(
                f"WARNING: repair issue {issue.get('translation_key')} "
                f"({', '.join(f'{k}: {v}' for k, v in placeholders.items())})"
            )


@dataclass
class PhoneEntities:
    """The entity ids of one phone that the dashboard shows."""

    title: str
    handset: bool
    status: str | None = None
    line: str | None = None
    remote: str | None = None
    ringing: str | None = None
    in_call: str | None = None
    last_caller: str | None = None
    missed: str | None = None
    reset_missed: str | None = None
    dnd: str | None = None
    battery: str | None = None
    wifi: str | None = None
    answer: str | None = None
    reject: str | None = None
    hang_up: str | None = None
    hold: str | None = None
    cancel: str | None = None
    call: str | None = None
    dial: str | None = None


# (entity domain, unique id without the entry id) → PhoneEntities field.
_ENTITY_KEYS: Final = {
    ("sensor", "phone_status"): "status",
    ("sensor", "line_1_line_state"): "line",
    ("sensor", "line_1_line_remote"): "remote",
    ("sensor", "last_caller"): "last_caller",
    ("sensor", "missed_calls"): "missed",
    ("sensor", "battery"): "battery",
    ("sensor", "wifi_signal"): "wifi",
    ("binary_sensor", "ringing"): "ringing",
    ("binary_sensor", "in_call"): "in_call",
    ("switch", "dnd"): "dnd",
    ("button", "accept_call"): "answer",
    ("button", "reject_call"): "reject",
    ("button", "end_call"): "hang_up",
    ("button", "hold_call"): "hold",
    ("button", "cancel_call"): "cancel",
    ("button", "call"): "call",
    ("button", "reset_missed_calls"): "reset_missed",
    ("text", "dial_number"): "dial",
}
# Only Wi-Fi handsets have these.
_HANDSET_ONLY: Final = frozenset({"battery", "wifi"})


async def find_entities(
    ws: Websocket, entry_id: str, title: str, handset: bool
) -> PhoneEntities:
    """Find the phone's entities in the entity registry."""
    found = PhoneEntities(title=title, handset=handset)
    wanted = [
        field
        for field in _ENTITY_KEYS.values()
        if handset or field not in _HANDSET_ONLY
    ]
    for _ in range(30):
        registry: list[dict[str, Any]] = await ws.call("config/entity_registry/list")
        for entity in registry:
            if entity.get("config_entry_id") != entry_id or entity.get("disabled_by"):
                continue
            entity_id: str = entity["entity_id"]
            unique_id = str(entity.get("unique_id", ""))
            key = unique_id.removeprefix(f"{entry_id}_")
            if field := _ENTITY_KEYS.get((entity_id.split(".", 1)[0], key)):
                setattr(found, field, entity_id)
        if all(getattr(found, field) for field in wanted):
            break
        await asyncio.sleep(1)
    if missing := [field for field in wanted if getattr(found, field) is None]:
        log(f"WARNING: {title}: no entity found for {', '.join(missing)}")
    return found


def _tile(entity: str | None, **extra: Any) -> list[dict[str, Any]]:
    return [{"type": "tile", "entity": entity, **extra}] if entity else []


def _press_tile(
    entity: str | None, name: str, icon: str, *, columns: int | None = None
) -> list[dict[str, Any]]:
    """Return a tile that presses a button (with columns: a small vertical one).

    A section is 12 columns wide: 4 puts three in a row, 6 two.
    """
    press = {
        "action": "perform-action",
        "perform_action": "button.press",
        "target": {"entity_id": entity},
    }
    return _tile(
        entity,
        name=name,
        icon=icon,
        hide_state=True,
        tap_action=press,
        icon_tap_action=press,
        **({"vertical": True, "grid_options": {"columns": columns}} if columns else {}),
    )


def phone_section(e: PhoneEntities) -> dict[str, Any]:
    """Return one phone's section: state, call history, controls, dial box."""
    # Phones show no caller name while ringing (and the Action URLs carry
    # none), so the number is often all there is.
    name = f"state_attr('{e.remote or ''}', 'remote_name')"
    number = f"state_attr('{e.remote or ''}', 'remote_number')"
    incoming = {
        "type": "markdown",
        "content": (
            '## <ha-icon icon="mdi:phone-ring"></ha-icon> Incoming call\n'
            f"**{{{{ {name} or {number} or 'Unknown caller' }}}}**"
            f"{{{{ (' · ' ~ {number}) if {name} and {number} else '' }}}}"
        ),
        "visibility": [{"condition": "state", "entity": e.ringing, "state": "on"}],
    }
    toggle = {"action": "toggle"}
    cards = [
        {
            "type": "heading",
            "heading": e.title,
            "icon": "mdi:cellphone" if e.handset else "mdi:deskphone",
        },
        *([incoming] if e.ringing and e.remote else []),
        *_tile(e.status, name="Status"),
        *_tile(e.line, name="Line 1"),
        *_tile(e.remote, name="Line 1 remote party", grid_options={"columns": 12}),
        *_tile(e.ringing, name="Ringing"),
        *_tile(e.in_call, name="In call"),
        *_press_tile(e.answer, "Answer", "mdi:phone", columns=4),
        *_press_tile(e.reject, "Reject", "mdi:phone-cancel", columns=4),
        *_press_tile(e.hang_up, "End", "mdi:phone-hangup", columns=4),
        # Hold toggles (hold, then resume); Cancel ends an outgoing call while
        # it rings at the far end.
        *_press_tile(e.hold, "Hold / resume", "mdi:phone-paused", columns=6),
        *_press_tile(e.cancel, "Cancel", "mdi:phone-remove", columns=6),
        *_tile(e.last_caller, name="Last caller", grid_options={"columns": 12}),
        *_tile(e.missed, name="Missed calls"),
        *_press_tile(e.reset_missed, "Reset missed calls", "mdi:phone-missed"),
        *_tile(e.dnd, name="Do not disturb", tap_action=toggle),
        *_tile(e.battery, name="Battery"),
        *_tile(e.wifi, name="Wi-Fi signal", icon="mdi:wifi"),
    ]
    dial = [
        *([{"entity": e.dial, "name": "Number"}] if e.dial else []),
        *([{"entity": e.call, "name": "Call it"}] if e.call else []),
    ]
    if dial:
        cards.append({"type": "entities", "entities": dial})
    return {"type": "grid", "cards": cards}


def dashboard_config(
    phones: list[tuple[PhoneSpec, PhoneEntities]],
) -> dict[str, Any]:
    """Return the Phone dashboard (one sections view: a section per phone)."""
    # What happened, in words: status changes and callers (the logbook leaves
    # out counters such as Missed calls).
    logged = [
        entity for _, e in phones for entity in (e.status, e.last_caller) if entity
    ]
    controls = "\n".join(
        f"- {spec.label}: [control page]({spec.url}/sim/)" for spec, _ in phones
    )
    first = phones[0][0].url if phones else DEFAULT_SIMULATOR
    history = [
        {"type": "heading", "heading": "Calls", "icon": "mdi:history"},
        *(
            [{"type": "logbook", "target": {"entity_id": logged}, "hours_to_show": 24}]
            if logged
            else []
        ),
        {"type": "heading", "heading": "Simulated phones", "icon": "mdi:test-tube"},
        {
            "type": "markdown",
            "content": (
                f"Ring them, answer or hang up from the far end:\n{controls}\n\n"
                f"`curl -X POST {first}/sim/incoming -d '{RING_EXAMPLE}'`\n\n"
                f"{CALLER_NAME_NOTE}"
            ),
        },
    ]
    return {
        "title": "Phone",
        "views": [
            {
                "title": "Phone",
                "path": "phone",
                "icon": "mdi:deskphone",
                "type": "sections",
                "max_columns": 3,
                "sections": [
                    *(phone_section(entities) for _, entities in phones),
                    {"type": "grid", "cards": history},
                ],
            }
        ],
    }


async def make_dashboard(
    ws: Websocket, phones: list[tuple[PhoneSpec, PhoneEntities]], opts: Options
) -> None:
    """Create (or update) the Phone dashboard."""
    dashboards: list[dict[str, Any]] = await ws.call("lovelace/dashboards/list")
    if not any(d.get("url_path") == DASHBOARD for d in dashboards):
        await ws.call(
            "lovelace/dashboards/create",
            url_path=DASHBOARD,
            title="Phone",
            icon="mdi:deskphone",
            mode="storage",
            require_admin=False,
            show_in_sidebar=True,
        )
    await ws.call(
        "lovelace/config/save", url_path=DASHBOARD, config=dashboard_config(phones)
    )
    log(f"dashboard ready: {opts.url}/{DASHBOARD}/phone")


async def provision(opts: Options) -> None:
    """Do everything, in order."""
    pushed: dict[str, bool] = {}
    async with aiohttp.ClientSession() as session:
        steps = await wait_for_home_assistant(session, opts)
        api = await onboard(session, opts, steps)
        await wait_until_running(api, opts.timeout)
        ws = await Websocket.connect(session, opts.url, api.token)
        try:
            # Before adding the phones: their entries build their URLs from it.
            await set_core_config(ws, opts.url)
            phones: list[tuple[PhoneSpec, PhoneEntities]] = []
            for phone in opts.phones:
                entry_id = await add_phone(ws, api, opts, phone)
                await wait_loaded(api, entry_id)
                pushed[phone.label] = await check_push(
                    session, api, opts, phone, entry_id
                )
                title = next(
                    str(e["title"])
                    for e in await _entries(api)
                    if e["entry_id"] == entry_id
                )
                entities = await find_entities(ws, entry_id, title, phone.handset)
                phones.append((phone, entities))
            await report_issues(ws)
            await make_dashboard(ws, phones, opts)
        finally:
            await ws.close()
    push_note = "; ".join(
        f"{label}: {'push' if ok else 'polling only'}" for label, ok in pushed.items()
    )
    phone_lines = "\n".join(
        f"    {spec.label + ':':<15} {spec.url}  (control page {spec.url}/sim/)"
        for spec in opts.phones
    )
    first = opts.phones[0].url if opts.phones else DEFAULT_SIMULATOR
    ha_log = f"\n    Its log:        {opts.ha_log}" if opts.ha_log else ""
    print(
        f"""
  Demo ready ({push_note})
    Home Assistant: {opts.url}{ha_log}
    Log in:         {opts.username} / {opts.password}
    Dashboard:      {opts.url}/{DASHBOARD}/phone
{phone_lines}
    Ring a phone:   its control page, or
      curl -X POST {first}/sim/incoming -d '{RING_EXAMPLE}'
      {CALLER_NAME_NOTE}
    Hang up from the far end:
      curl -X POST {first}/sim/remote_hangup -d '{{"line": 1}}'
    (the WP826 is on HTTPS with a self-signed certificate: curl -k)
""",
        flush=True,
    )


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="Home Assistant's URL")
    parser.add_argument(
        "--simulator",
        default=DEFAULT_SIMULATOR,
        help="the simulated GRP2614's URL",
    )
    parser.add_argument(
        "--wp826",
        default=DEFAULT_WP826,
        help="the simulated WP826's URL (https://...; empty: no WP826)",
    )
    parser.add_argument("--phone-username", default="admin")
    parser.add_argument("--phone-password", default="admin")
    parser.add_argument("--name", default=DEMO_NAME, help="the demo user's name")
    parser.add_argument("--username", default=DEMO_USERNAME)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument(
        "--timeout",
        type=float,
        default=900,
        help="seconds to wait for Home Assistant (first start installs packages)",
    )
    parser.add_argument(
        "--wait-pid", type=int, help="give up when this process (hass) ends"
    )
    parser.add_argument(
        "--ha-log", help="where Home Assistant's log is (named in the banner)"
    )
    args = parser.parse_args(argv)
    return Options(
        url=args.url.rstrip("/"),
        phones=tuple(
            PhoneSpec(label, url.rstrip("/"))
            for label, url in (("GRP2614", args.simulator), ("WP826", args.wp826))
            if url
        ),
        phone_username=args.phone_username,
        phone_password=args.phone_password,
        name=args.name,
        username=args.username,
        password=args.password,
        timeout=args.timeout,
        wait_pid=args.wait_pid,
        ha_log=args.ha_log,
    )


def main() -> int:
    """Provision the demo; 1 on failure."""
    opts = parse_args()
    try:
        asyncio.run(provision(opts))
    except DemoError as err:
        log(f"ERROR: {err}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
