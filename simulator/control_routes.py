"""The simulator's own control API under `/sim/` (JSON, no passcode).

It keeps working in every fault and during a reboot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import html
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from custom_components.grandstream_cti.cti.action_url import ACTION_URL_FIELDS

from .config_store import public_slots

if TYPE_CHECKING:
    from .server import PhoneSimulator

JsonHandler = Callable[[dict[str, Any]], Any]

CONTROL_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{model} simulator</title>
<style>body{{font-family:sans-serif;margin:2em}}pre{{background:#eee;padding:1em}}
td{{padding:0 1em 0 0;font-family:monospace}}</style>
</head><body>
<h1>{model} simulator</h1>
<p>Profile {profile}, firmware {firmware}, MAC {mac}.</p>
<p><input id="number" value="+15555550100"> <input id="name" value="Carol">
<button onclick="post('incoming',{{number:v('number'),name:v('name')}})">Ring</button></p>
<p>Line <input id="line" value="1" size="2">
<button onclick="post('remote_answer',{{line:+v('line')}})">Remote answer</button>
<button onclick="post('remote_hangup',{{line:+v('line')}})">Remote hang up</button>
<button onclick="post('confirm',{{}})">Confirm pop-up</button></p>
<h2>Action URL</h2>
<p>Paste each URL Home Assistant shows into the field it names and save them all, like
on the phone (Settings &rarr; Outbound Notification &rarr; Action URL). Or set one base
URL: the simulator then adds the event and every variable itself. The same fields are
the phone's config keys (<code>config_update</code>, <code>POST /sim/action_url</code>).</p>
<form id="action_url" onsubmit="post('action_url',{{url:v('base')}});return false">
Base URL <input id="base" size="70" value="{base}" placeholder="http://127.0.0.1:8123/api/webhook/...">
<button type="submit">Set base URL</button>
<button type="button" onclick="post('action_url',{{url:''}})">Clear</button>
</form>
<form id="slots" onsubmit="saveSlots();return false">
<table>{slots}</table>
<button type="submit">Save fields</button>
</form>
<pre id="state"></pre>
<script>
const v = (id) => document.getElementById(id).value;
async function post(path, body) {{
  await fetch('/sim/' + path, {{method: 'POST', body: JSON.stringify(body)}});
  refresh();
}}
async function saveSlots() {{
  const urls = {{}};
  for (const input of document.querySelectorAll('input.slot')) {{
    urls[input.dataset.slot] = input.value;
  }}
  const answer = await (await fetch('/sim/action_url',
    {{method: 'POST', body: JSON.stringify({{urls}})}})).json();
  for (const input of document.querySelectorAll('input.slot')) {{
    input.value = answer.slots[input.dataset.slot] || '';
  }}
  refresh();
}}
async function refresh() {{
  const state = await (await fetch('/sim/state')).json();
  document.getElementById('state').textContent = JSON.stringify(
    {{status: state.phone_status, lines: state.lines.filter((l) => l.state !== 'idle'),
      action_url: state.action_url.url, sessions: state.sessions, locks: state.locks,
      tripwires: state.tripwires}},
    null, 2);
}}
refresh(); setInterval(refresh, 1000);
</script></body></html>
"""


def _slot_rows(sim: PhoneSimulator) -> str:
    """Return one row per Action URL field: its P-value, event and current URL."""
    events = {field: event for event, field in ACTION_URL_FIELDS.items()}
    return "".join(
        f"<tr><td>{html.escape(slot)}</td><td>{html.escape(events[slot])}</td>"
        f'<td><input class="slot" data-slot="{html.escape(slot)}" size="70"'
        f' value="{html.escape(str(url), quote=True)}"></td></tr>'
        for slot, url in public_slots(sim.store).items()
    )


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    text = await request.text()
    if not text.strip():
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError("The body must be a JSON object")
    return data


def _int(data: dict[str, Any], name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer")
    return value


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false")
    return value


def control_routes(sim: PhoneSimulator) -> list[web.RouteDef]:
    """Return the `/sim/` routes bound to `sim`."""

    def json_post(
        handler: JsonHandler,
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            try:
                result = handler(await _body(request))
            except (ValueError, TypeError) as err:
                return _error(400, str(err))
            return web.json_response(result)

        return handle

    def incoming(data: dict[str, Any]) -> dict[str, Any]:
        number = data.get("number")
        if not isinstance(number, str) or not number:
            raise TypeError("number must be a non-empty string")
        line = None if data.get("line") is None else _int(data, "line")
        line_number = sim.phone.incoming(
            number,
            str(data.get("name", "")),
            line=line,
            account=_int(data, "account", 1),
        )
        return {"line": line_number}

    def remote_answer(data: dict[str, Any]) -> dict[str, Any]:
        return {"ok": sim.phone.remote_answer(_int(data, "line"))}

    def remote_hangup(data: dict[str, Any]) -> dict[str, Any]:
        return {"ok": sim.phone.remote_hangup(_int(data, "line"))}

    def account(data: dict[str, Any]) -> dict[str, Any]:
        sim.phone.set_registered(_int(data, "account"), _bool(data, "registered"))
        return {"ok": True}

    def dnd(data: dict[str, Any]) -> dict[str, Any]:
        sim.phone.set_dnd(_bool(data, "on"))
        return {"ok": True}

    def fault(data: dict[str, Any]) -> dict[str, Any]:
        seconds = data.get("seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError("seconds must be a number")
        sim.set_fault(str(data.get("kind", "")), float(seconds))
        return sim.faults.as_dict()

    def quirks(data: dict[str, Any]) -> dict[str, Any]:
        sim.quirks.update(data)
        return sim.quirks.as_dict()

    def action_url(data: dict[str, Any]) -> dict[str, Any]:
        url = data.get("url")
        urls = data.get("urls")
        if url is not None and not isinstance(url, str):
            raise TypeError("url must be a string")
        if urls is not None and not isinstance(urls, dict):
            raise TypeError("urls must be an object")
        sim.set_action_url(url, urls)
        return {
            "url": sim.pusher.base_url,
            "urls": {str(key): value for key, value in sim.pusher.templates.items()},
            "slots": public_slots(sim.store),
        }

    def confirm(data: dict[str, Any]) -> dict[str, Any]:
        accept = data.get("accept", True)
        if not isinstance(accept, bool):
            raise TypeError("accept must be true or false")
        return {"confirmed": sim.confirm(accept), "pending": sim.pending_confirmations}

    def config(data: dict[str, Any]) -> dict[str, Any]:
        sim.update_config(data)
        return sim.config.public()

    def clock(data: dict[str, Any]) -> dict[str, Any]:
        seconds = data.get("advance", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError("advance must be a number of seconds")
        sim.clock.advance(float(seconds))
        return {"now": sim.clock.now(), "offset": sim.clock.offset}

    def sessions(data: dict[str, Any]) -> dict[str, Any]:
        expire = data.get("expire")
        if expire == "all":
            ended = sim.sessions.expire_all()
        elif isinstance(expire, str) and expire:
            ended = sim.sessions.expire_all(expire)  # one account's sessions
        else:
            raise TypeError('expire must be "all" or a username')
        return {"expired": ended, **sim.sessions.public()}

    def handset(data: dict[str, Any]) -> dict[str, Any]:
        if not sim.profile.handset:
            raise ValueError("This profile is not a Wi-Fi handset")
        if "battery" in data:
            sim.phone.set_battery(_int(data, "battery"))
        if "signal" in data:
            signal = _int(data, "signal")
            if not 0 <= signal <= 4:
                raise ValueError("signal must be 0-4")
            sim.handset.signal = signal
        if "connected" in data:
            sim.handset.connected = _bool(data, "connected")
        if "ssid" in data:
            sim.handset.ssid = str(data["ssid"])
        return sim.handset.as_dict(sim.phone)

    async def get_log(request: web.Request) -> web.Response:
        return web.json_response(sim.requests)

    async def clear_log(request: web.Request) -> web.Response:
        sim.requests.clear()
        return web.json_response([])

    async def get_state(request: web.Request) -> web.Response:
        return web.json_response(sim.state())

    async def get_action_url(request: web.Request) -> web.Response:
        return web.json_response(action_url({}))

    async def get_clock(request: web.Request) -> web.Response:
        return web.json_response({"now": sim.clock.now(), "offset": sim.clock.offset})

    async def get_sessions(request: web.Request) -> web.Response:
        return web.json_response(sim.sessions.public())

    async def expire_sessions(request: web.Request) -> web.Response:
        ended = sim.sessions.expire_all()
        return web.json_response({"expired": ended, **sim.sessions.public()})

    async def page(request: web.Request) -> web.Response:
        text = CONTROL_PAGE.format(
            model=html.escape(sim.phone.model),
            profile=html.escape(sim.profile.name),
            firmware=html.escape(sim.phone.firmware),
            mac=html.escape(sim.phone.mac),
            base=html.escape(sim.pusher.base_url, quote=True),
            slots=_slot_rows(sim),
        )
        return web.Response(text=text, content_type="text/html")

    posts: dict[str, JsonHandler] = {
        "incoming": incoming,
        "remote_answer": remote_answer,
        "remote_hangup": remote_hangup,
        "account": account,
        "dnd": dnd,
        "fault": fault,
        "quirks": quirks,
        "action_url": action_url,
        "confirm": confirm,
        "config": config,
        "clock": clock,
        "sessions": sessions,
        "handset": handset,
    }
    routes = [
        web.post(f"/sim/{name}", json_post(handler)) for name, handler in posts.items()
    ]
    routes += [
        web.get("/sim/log", get_log),
        web.delete("/sim/log", clear_log),
        web.get("/sim/state", get_state),
        web.get("/sim/clock", get_clock),
        web.get("/sim/action_url", get_action_url),
        web.get("/sim/sessions", get_sessions),
        web.delete("/sim/sessions", expire_sessions),
        web.get("/sim/", page),
        web.get("/", page),
    ]
    return routes
