"""The simulator's own control API under `/sim/` (JSON, no passcode).

It keeps working in every fault and during a reboot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import PhoneSimulator

JsonHandler = Callable[[dict[str, Any]], Any]

CONTROL_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{model} simulator</title>
<style>body{{font-family:sans-serif;margin:2em}}pre{{background:#eee;padding:1em}}</style>
</head><body>
<h1>{model} simulator</h1>
<p><input id="number" value="+15555550100"> <input id="name" value="Carol">
<button onclick="post('incoming',{{number:v('number'),name:v('name')}})">Ring</button></p>
<p>Line <input id="line" value="1" size="2">
<button onclick="post('remote_answer',{{line:+v('line')}})">Remote answer</button>
<button onclick="post('remote_hangup',{{line:+v('line')}})">Remote hang up</button>
<button onclick="post('confirm',{{}})">Confirm pop-up</button></p>
<pre id="state"></pre>
<script>
const v = (id) => document.getElementById(id).value;
async function post(path, body) {{
  await fetch('/sim/' + path, {{method: 'POST', body: JSON.stringify(body)}});
  refresh();
}}
async function refresh() {{
  const state = await (await fetch('/sim/state')).json();
  document.getElementById('state').textContent = JSON.stringify(
    {{status: state.phone_status, lines: state.lines.filter((l) => l.state !== 'idle')}},
    null, 2);
}}
refresh(); setInterval(refresh, 1000);
</script></body></html>
"""


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
        }

    def confirm(data: dict[str, Any]) -> dict[str, Any]:
        accept = data.get("accept", True)
        if not isinstance(accept, bool):
            raise TypeError("accept must be true or false")
        return {"confirmed": sim.confirm(accept), "pending": sim.pending_confirmations}

    def config(data: dict[str, Any]) -> dict[str, Any]:
        sim.update_config(data)
        return sim.config.public()

    async def get_log(request: web.Request) -> web.Response:
        return web.json_response(sim.requests)

    async def clear_log(request: web.Request) -> web.Response:
        sim.requests.clear()
        return web.json_response([])

    async def get_state(request: web.Request) -> web.Response:
        return web.json_response(sim.state())

    async def page(request: web.Request) -> web.Response:
        return web.Response(
            text=CONTROL_PAGE.format(model=sim.phone.model), content_type="text/html"
        )

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
    }
    routes = [
        web.post(f"/sim/{name}", json_post(handler)) for name, handler in posts.items()
    ]
    routes += [
        web.get("/sim/log", get_log),
        web.delete("/sim/log", clear_log),
        web.get("/sim/state", get_state),
        web.get("/sim/", page),
        web.get("/", page),
    ]
    return routes
