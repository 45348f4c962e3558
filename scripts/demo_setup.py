#!/usr/bin/env python3
"""Make a running Home Assistant a ready demo of the Grandstream integration.

Does what a user would, through Home Assistant's HTTP and websocket APIs:
onboarding (a local user), the local network URL (so the phone can reach
Home Assistant), the simulated phone added through the config flow, its
Action URLs pasted into the simulator (push), and a "Phone" dashboard.
Idempotent: run it again and it logs in and reuses what is there.

Started by ``scripts/develop --demo`` once Home Assistant runs; by hand:

    .venv/bin/python scripts/demo_setup.py [--url http://127.0.0.1:8123]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
import os
import re
import sys
import time
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import aiohttp

DOMAIN: Final = "grandstream_cti"
DEFAULT_URL: Final = "http://127.0.0.1:8123"
DEFAULT_SIMULATOR: Final = "http://127.0.0.1:8080"
DEMO_NAME: Final = "Demo"
DEMO_USERNAME: Final = "demo"
DEMO_PASSWORD: Final = "demo-phone"  # a throwaway local demo account
DASHBOARD: Final = "phone-demo"
RING_EXAMPLE: Final = '{"number": "+15555550100", "name": "Alice"}'

# Backticked URLs in the flows' "urls" placeholder (one Markdown line each).
_BACKTICKED: Final = re.compile(r"`([^`\s]+)`")


class DemoError(Exception):
    """Something the demo needs did not work."""


def log(message: str) -> None:
    """Print one progress line."""
    print(f"demo_setup: {message}", flush=True)


@dataclass(frozen=True)
class Options:
    """What to provision, from the command line."""

    url: str
    simulator: str
    phone_password: str
    name: str
    username: str
    password: str
    timeout: float
    wait_pid: int | None

    @property
    def client_id(self) -> str:
        """Return the OAuth client id: Home Assistant's own frontend."""
        return f"{self.url}/"

    @property
    def simulator_host(self) -> str:
        """Return the simulated phone's host."""
        return urlsplit(self.simulator).hostname or "127.0.0.1"

    @property
    def simulator_port(self) -> int:
        """Return the simulated phone's port."""
        return urlsplit(self.simulator).port or 80


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

    The phone pushes to the URLs the flows show. Home Assistant listens on
    loopback only, so the URL it would guess (this machine's network address)
    would not answer.
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


def _print_urls(result: dict[str, Any]) -> None:
    urls = (result.get("description_placeholders") or {}).get("urls")
    if urls:
        log("the phone's Action URLs, as the flow shows them:")
        for line in str(urls).splitlines():
            print(f"    {line}", flush=True)


async def add_phone(api: HomeAssistantApi, opts: Options) -> str:
    """Add the simulated phone through the config flow; return its entry id."""
    if entries := await _entries(api):
        entry = entries[0]
        log(f"the phone is already added ({entry['title']})")
        return str(entry["entry_id"])
    result = await api.post(
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "show_advanced_options": False},
    )
    connection = {
        "host": opts.simulator_host,
        "port": opts.simulator_port,
        "ssl": False,
        "verify_ssl": False,
        "password": opts.phone_password,
    }
    for _ in range(5):  # user, then informational steps (action_urls)
        kind = result.get("type")
        if kind == "create_entry":
            entry_id = str(result["result"]["entry_id"])
            log(f"added the phone: {result.get('title')}")
            return entry_id
        if kind != "form":
            raise DemoError(
                f"adding the phone ended with {kind}: {result.get('reason')}"
            )
        if result.get("errors"):
            raise DemoError(f"the phone's form says {result['errors']}")
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
            _print_urls(result)
            user_input = {}
        result = await api.post(
            f"/api/config/config_entries/flow/{result['flow_id']}", user_input
        )
    raise DemoError("the config flow did not finish")


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


def parse_action_urls(text: str) -> dict[str, str]:
    """Return event → URL from the flows' Markdown list of Action URLs."""
    urls: dict[str, str] = {}
    for line in text.splitlines():
        if not (match := _BACKTICKED.search(line)):
            continue
        shown = match.group(1)
        url = shown if "://" in shown else f"http://{shown}"
        if event := parse_qs(urlsplit(url).query).get("event", [""])[0]:
            urls[event] = url
    return urls


async def wire_push(
    session: aiohttp.ClientSession, api: HomeAssistantApi, opts: Options, entry_id: str
) -> bool:
    """Paste the Action URLs from the phone's options into the simulator."""
    result = await api.post(
        "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    try:
        placeholders = result.get("description_placeholders") or {}
        urls: dict[str, str] = {}
        for text in placeholders.values():
            urls.update(parse_action_urls(str(text)))
    finally:
        if result.get("flow_id") and result.get("type") == "form":
            await api.request(
                "DELETE", f"/api/config/config_entries/options/flow/{result['flow_id']}"
            )
    if not urls:
        log(
            "WARNING: the phone's options show no Action URLs "
            f"({placeholders.get('urls', 'no urls placeholder')!r}); push is not "
            "wired, the dashboard follows the phone by polling"
        )
        return False
    await _post_json(session, f"{opts.simulator}/sim/action_url", {"urls": urls})
    log(f"push wired: the simulator calls Home Assistant on {len(urls)} events")
    return True


@dataclass
class PhoneEntities:
    """The entity ids the dashboard shows."""

    status: str | None = None
    line: str | None = None
    caller: str | None = None
    ringing: str | None = None
    in_call: str | None = None
    answer: str | None = None
    reject: str | None = None
    hang_up: str | None = None
    hold: str | None = None
    call: str | None = None
    dial: str | None = None
    event: str | None = None


# (entity domain, translation key) → PhoneEntities field; lines: line 1 only.
_ENTITY_KEYS: Final = {
    ("sensor", "phone_status"): "status",
    ("sensor", "line_state"): "line",
    ("sensor", "line_remote"): "caller",
    ("binary_sensor", "ringing"): "ringing",
    ("binary_sensor", "in_call"): "in_call",
    ("button", "accept_call"): "answer",
    ("button", "reject_call"): "reject",
    ("button", "end_call"): "hang_up",
    ("button", "hold_call"): "hold",
    ("button", "call"): "call",
    ("text", "dial_number"): "dial",
    ("event", "call"): "event",
}


async def find_entities(ws: Websocket, entry_id: str) -> PhoneEntities:
    """Find the phone's entities in the entity registry."""
    found = PhoneEntities()
    for _ in range(30):
        registry: list[dict[str, Any]] = await ws.call("config/entity_registry/list")
        for entity in registry:
            if entity.get("config_entry_id") != entry_id or entity.get("disabled_by"):
                continue
            entity_id: str = entity["entity_id"]
            key = (entity_id.split(".", 1)[0], str(entity.get("translation_key")))
            if key[1] in ("line_state", "line_remote") and not str(
                entity.get("unique_id", "")
            ).startswith(f"{entry_id}_line_1_"):
                continue
            if field := _ENTITY_KEYS.get(key):
                setattr(found, field, entity_id)
        if found.status and found.caller and found.answer:
            break
        await asyncio.sleep(1)
    missing = [name for name, value in vars(found).items() if value is None]
    if missing:
        log(f"WARNING: no entity found for {', '.join(missing)}")
    return found


def _tile(entity: str | None, **extra: Any) -> list[dict[str, Any]]:
    return [{"type": "tile", "entity": entity, **extra}] if entity else []


def _press_tile(entity: str | None, name: str, icon: str) -> list[dict[str, Any]]:
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
        grid_options={"columns": 6},
    )


def dashboard_config(e: PhoneEntities, simulator: str) -> dict[str, Any]:
    """Return the Phone dashboard (one sections view)."""
    caller = e.caller or ""
    incoming = {
        "type": "markdown",
        "content": (
            '## <ha-icon icon="mdi:phone-ring"></ha-icon> Incoming call\n'
            f"**{{{{ state_attr('{caller}', 'remote_name') or 'Unknown caller' }}}}**"
            f" · {{{{ state_attr('{caller}', 'remote_number') }}}}"
        ),
        "visibility": [{"condition": "state", "entity": e.ringing, "state": "on"}],
    }
    phone = [
        {"type": "heading", "heading": "Desk phone", "icon": "mdi:deskphone"},
        *([incoming] if e.ringing and e.caller else []),
        *_tile(e.status, name="Status"),
        *_tile(e.line, name="Line 1"),
        *_tile(e.caller, name="Caller", grid_options={"columns": 12}),
        *_tile(e.ringing, name="Ringing"),
        *_tile(e.in_call, name="In call"),
    ]
    controls = [
        {"type": "heading", "heading": "Call", "icon": "mdi:phone-in-talk"},
        *_press_tile(e.answer, "Answer", "mdi:phone"),
        *_press_tile(e.reject, "Reject", "mdi:phone-cancel"),
        *_press_tile(e.hang_up, "Hang up", "mdi:phone-hangup"),
        *_press_tile(e.hold, "Hold / resume", "mdi:phone-paused"),
        {"type": "heading", "heading": "Dial", "icon": "mdi:dialpad"},
        {
            "type": "entities",
            "entities": [
                *([{"entity": e.dial, "name": "Number"}] if e.dial else []),
                *([{"entity": e.call, "name": "Call it"}] if e.call else []),
            ],
        },
        {"type": "heading", "heading": "Simulated phone", "icon": "mdi:test-tube"},
        {
            "type": "markdown",
            "content": (
                f"Ring it from its [control page]({simulator}/sim/) or with\n"
                f"`curl -X POST {simulator}/sim/incoming -d '{RING_EXAMPLE}'`"
            ),
        },
    ]
    logged = [entity for entity in (e.event, e.status) if entity]
    history = [
        {"type": "heading", "heading": "Calls", "icon": "mdi:history"},
        *_tile(
            e.event,
            name="Last call event",
            state_content="event_type",
            grid_options={"columns": 12},
        ),
        *(
            [{"type": "logbook", "target": {"entity_id": logged}, "hours_to_show": 24}]
            if logged
            else []
        ),
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
                    {"type": "grid", "cards": phone},
                    {"type": "grid", "cards": controls},
                    {"type": "grid", "cards": history},
                ],
            }
        ],
    }


async def make_dashboard(ws: Websocket, entities: PhoneEntities, opts: Options) -> None:
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
        "lovelace/config/save",
        url_path=DASHBOARD,
        config=dashboard_config(entities, opts.simulator),
    )
    log(f"dashboard ready: {opts.url}/{DASHBOARD}/phone")


async def provision(opts: Options) -> None:
    """Do everything, in order."""
    async with aiohttp.ClientSession() as session:
        steps = await wait_for_home_assistant(session, opts)
        api = await onboard(session, opts, steps)
        await wait_until_running(api, opts.timeout)
        ws = await Websocket.connect(session, opts.url, api.token)
        try:
            await set_core_config(ws, opts.url)
            entry_id = await add_phone(api, opts)
            await wait_loaded(api, entry_id)
            pushed = await wire_push(session, api, opts, entry_id)
            entities = await find_entities(ws, entry_id)
            await make_dashboard(ws, entities, opts)
        finally:
            await ws.close()
    print(
        f"""
  Demo ready{"" if pushed else " (push not wired: updates by polling)"}
    Home Assistant: {opts.url}
    Log in:         {opts.username} / {opts.password}
    Dashboard:      {opts.url}/{DASHBOARD}/phone
    Ring the phone: {opts.simulator}/sim/  (control page), or
      curl -X POST {opts.simulator}/sim/incoming -d '{RING_EXAMPLE}'
    Hang up from the far end:
      curl -X POST {opts.simulator}/sim/remote_hangup -d '{{"line": 1}}'
""",
        flush=True,
    )


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="Home Assistant's URL")
    parser.add_argument(
        "--simulator", default=DEFAULT_SIMULATOR, help="the simulated phone's URL"
    )
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
    args = parser.parse_args(argv)
    return Options(
        url=args.url.rstrip("/"),
        simulator=args.simulator.rstrip("/"),
        phone_password=args.phone_password,
        name=args.name,
        username=args.username,
        password=args.password,
        timeout=args.timeout,
        wait_pid=args.wait_pid,
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
