"""The simulator's own control API under `/sim/` (JSON, no passcode).

It keeps working in every fault and during a reboot. `ControlApi` has one
method per route; `ControlApi.routes()` is the route table. POST handlers
take the JSON body and return JSON data (`_json_post` does the HTTP part:
bad input answers 400 `{"error": ...}`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import html
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from custom_components.grandstream_cti.cti.action_url import ACTION_URL_FIELDS

from .config import apply_settings
from .config_store import public_slots
from .handset import BATTERY_STATUSES
from .phone import VOICEMAIL_DELAY

if TYPE_CHECKING:
    from .activity import RequestLog
    from .clock import SimClock
    from .config import SimulatorConfig
    from .config_store import ConfigStore
    from .faults import Faults
    from .handset import Handset
    from .phone import Phone
    from .popup import Popup
    from .profiles import Profile
    from .push import ActionUrlPusher
    from .render import Quirks
    from .session import SessionManager

JsonHandler = Callable[[dict[str, Any]], dict[str, Any]]
AiohttpHandler = Callable[[web.Request], Awaitable[web.Response]]

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
<p><button onclick="post('voicemail',{{account:1,leave:1}})">Leave a voicemail</button>
<button onclick="post('voicemail',{{account:1,listen:true}})">Listen to voicemail</button>
(account 1; the unread count rises 16 s after a message is left)</p>
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
    {{status: state.phone_status, dnd: state.dnd,
      voicemail: state.accounts.map((a) => a.unread_voicemail),
      lines: state.lines.filter((l) => l.state !== 'idle'),
      action_url: state.action_url.url, sessions: state.sessions, locks: state.locks,
      tripwires: state.tripwires}},
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


def _json_post(handler: JsonHandler) -> AiohttpHandler:
    """Wrap a `data -> data` handler: JSON body in, JSON out, 400 on bad input."""

    async def handle(request: web.Request) -> web.Response:
        try:
            result = handler(await _body(request))
        except (ValueError, TypeError) as err:
            return _error(400, str(err))
        return web.json_response(result)

    return handle


def _int(data: dict[str, Any], name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer")
    return value


def _number(data: dict[str, Any], name: str, default: float = 0) -> float:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number")
    return float(value)


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false")
    return value


class ControlApi:
    """The `/sim/` routes of one phone, bound to the parts they drive."""

    def __init__(
        self,
        *,
        profile: Profile,
        config: SimulatorConfig,
        phone: Phone,
        clock: SimClock,
        quirks: Quirks,
        faults: Faults,
        popup: Popup,
        log: RequestLog,
        sessions: SessionManager,
        store: ConfigStore,
        pusher: ActionUrlPusher,
        handset: Handset,
        state: Callable[[], dict[str, Any]],
    ) -> None:
        """Drive the given parts; `state` builds the `/sim/state` document."""
        self.profile = profile
        self.config = config
        self.phone = phone
        self.clock = clock
        self.quirks = quirks
        self.faults = faults
        self.popup = popup
        self.log = log
        self.sessions = sessions
        self.store = store
        self.pusher = pusher
        self.handset = handset
        self.state = state

    def routes(self) -> list[web.RouteDef]:
        """Return the route table: every `/sim/` path and its handler."""
        return [
            web.get("/", self.page),
            web.get("/sim/", self.page),
            web.get("/sim/state", self.get_state),
            web.get("/sim/log", self.get_log),
            web.delete("/sim/log", self.clear_log),
            web.post("/sim/incoming", _json_post(self.incoming)),
            web.post("/sim/remote_answer", _json_post(self.remote_answer)),
            web.post("/sim/remote_hangup", _json_post(self.remote_hangup)),
            web.post("/sim/account", _json_post(self.account)),
            web.post("/sim/dnd", _json_post(self.dnd)),
            web.post("/sim/handset", _json_post(self.set_handset)),
            web.get("/sim/voicemail", self.get_voicemail),
            web.post("/sim/voicemail", _json_post(self.voicemail)),
            web.post("/sim/setting", _json_post(self.setting)),
            web.post("/sim/fault", _json_post(self.fault)),
            web.post("/sim/quirks", _json_post(self.set_quirks)),
            web.post("/sim/config", _json_post(self.set_config)),
            web.post("/sim/confirm", _json_post(self.confirm)),
            web.get("/sim/action_url", self.get_action_url),
            web.post("/sim/action_url", _json_post(self.set_action_url)),
            web.get("/sim/clock", self.get_clock),
            web.post("/sim/clock", _json_post(self.advance_clock)),
            web.get("/sim/sessions", self.get_sessions),
            web.post("/sim/sessions", _json_post(self.expire_sessions)),
            web.delete("/sim/sessions", self.expire_all_sessions),
        ]

    # ------------------------------------------------------- the phone

    def incoming(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/incoming {"number", "name"?, "line"?, "account"?}: ring."""
        number = data.get("number")
        if not isinstance(number, str) or not number:
            raise TypeError("number must be a non-empty string")
        line = None if data.get("line") is None else _int(data, "line")
        line_number = self.phone.incoming(
            number,
            str(data.get("name", "")),
            line=line,
            account=_int(data, "account", 1),
        )
        return {"line": line_number}

    def remote_answer(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/remote_answer {"line"}: the far end answers our call."""
        return {"ok": self.phone.remote_answer(_int(data, "line"))}

    def remote_hangup(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/remote_hangup {"line"}: the far end hangs up (or gives up)."""
        return {"ok": self.phone.remote_hangup(_int(data, "line"))}

    def account(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/account {"account", "registered"}: (un)register an account."""
        self.phone.set_registered(_int(data, "account"), _bool(data, "registered"))
        return {"ok": True}

    def dnd(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/dnd {"on"}: DND switched on the phone."""
        self.phone.set_dnd(_bool(data, "on"))
        return {"ok": True}

    def set_handset(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/handset: battery, charging, Wi-Fi signal, connection, AP."""
        if not self.profile.handset:
            raise ValueError("This profile is not a Wi-Fi handset")
        handset = self.handset
        signal = _int(data, "signal", handset.signal)
        if not 0 <= signal <= 4:
            raise ValueError("signal must be 0-4")
        status = data.get("battery_status", handset.battery_status)
        if status not in BATTERY_STATUSES:
            raise ValueError(
                f"battery_status must be one of {sorted(BATTERY_STATUSES)}"
            )
        connected = _bool(data, "connected") if "connected" in data else None
        channel = _int(data, "channel", handset.channel)
        if "battery" in data:
            self.phone.set_battery(_int(data, "battery"))
        handset.signal, handset.battery_status, handset.channel = (
            signal,
            status,
            channel,
        )
        if connected is not None:
            handset.connected = connected
        for name in ("ssid", "bssid"):
            if name in data:
                setattr(handset, name, str(data[name]))
        return handset.as_dict(self.phone)

    def voicemail(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/voicemail: leave, listen to, clear or set an account's messages.

        `{"account": 1, "leave": 2}` (the unread count rises 16 s later on the
        simulator clock, `"after": s` to change that), `{"account": 1,
        "listen": true}` (none unread), `{"account": 1, "clear": true}` (none
        unread, none on the way), `{"account": 1, "unread": 3}` (at once).
        """
        account = _int(data, "account", 1)
        if "leave" in data:
            self.phone.leave_voicemail(
                account, _int(data, "leave"), _number(data, "after", VOICEMAIL_DELAY)
            )
        elif data.get("listen") is True:
            self.phone.listen_voicemail(account)
        elif data.get("clear") is True:
            self.phone.clear_voicemail(account)
        elif "unread" in data:
            self.phone.set_unread_voicemail(account, _int(data, "unread"))
        else:
            raise TypeError('say "leave", "listen", "clear" or "unread"')
        return self._voicemail()[str(account)]

    def _voicemail(self) -> dict[str, dict[str, int]]:
        return {
            str(account.id): {
                "unread": account.unread_voicemail,
                "pending": self.phone.pending_voicemail(account.id),
            }
            for account in self.phone.accounts
        }

    def setting(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/setting {"key", "value"}: change a setting at the phone itself.

        As in the phone's own menu: no role or session, only values the
        setting offers (400 otherwise, and for keys the phone lacks).
        `key` is a P-value (`8352`, `P8352`), a named key or an alias.
        """
        key, value = data.get("key"), data.get("value")
        if not isinstance(key, str) or not key:
            raise TypeError("key must be a non-empty string")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError("value must be a string or an integer")
        name = self.store.set_at_phone(key, str(value))
        alias, current = self.store.read(name)
        return {"key": name, "alias": alias, "value": current}

    # ---------------------------------------------------- the simulator

    def fault(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/fault {"kind", "seconds"?}: a transport fault (none clears)."""
        seconds = _number(data, "seconds")
        self.faults.set(str(data.get("kind", "")), seconds)
        return self.faults.as_dict()

    def set_quirks(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/quirks {name: bool}: switch firmware quirks."""
        self.quirks.update(data)
        return self.quirks.as_dict()

    def set_config(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/config {setting: value}: change settings at run time."""
        apply_settings(self.config, self.phone, data)
        return self.config.public()

    def confirm(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/confirm {"accept"?}: press OK (or Cancel) on the pop-up."""
        accept = data.get("accept", True)
        if not isinstance(accept, bool):
            raise TypeError("accept must be true or false")
        return {"confirmed": self.popup.confirm(accept), "pending": self.popup.pending}

    def set_action_url(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/action_url {"url"?, "urls"?}: the base URL and the slots."""
        url = data.get("url")
        urls = data.get("urls")
        if url is not None and not isinstance(url, str):
            raise TypeError("url must be a string")
        if urls is not None and not isinstance(urls, dict):
            raise TypeError("urls must be an object")
        self.pusher.configure(url, urls)
        if url is not None:
            self.config.action_url = url or None
        return self._action_url()

    def _action_url(self) -> dict[str, Any]:
        return {**self.pusher.public(), "slots": public_slots(self.store)}

    def advance_clock(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/clock {"advance": s}: move the simulator clock, fire timers."""
        seconds = data.get("advance", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise TypeError("advance must be a number of seconds")
        self.clock.advance(float(seconds))
        return self._clock()

    def _clock(self) -> dict[str, Any]:
        return {"now": self.clock.now(), "offset": self.clock.offset}

    def expire_sessions(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST /sim/sessions {"expire": "all" | username}: end sessions now."""
        expire = data.get("expire")
        if expire == "all":
            ended = self.sessions.expire_all()
        elif isinstance(expire, str) and expire:
            ended = self.sessions.expire_all(expire)  # one account's sessions
        else:
            raise TypeError('expire must be "all" or a username')
        return {"expired": ended, **self.sessions.public()}

    # ------------------------------------------------------------ reads

    async def get_state(self, request: web.Request) -> web.Response:
        """GET /sim/state: everything, no passwords, no full sids."""
        return web.json_response(self.state())

    async def get_log(self, request: web.Request) -> web.Response:
        """GET /sim/log: the `/cgi-bin` request log (secrets removed)."""
        return web.json_response(self.log.requests)

    async def clear_log(self, request: web.Request) -> web.Response:
        """DELETE /sim/log: forget the request log."""
        self.log.requests.clear()
        return web.json_response([])

    async def get_action_url(self, request: web.Request) -> web.Response:
        """GET /sim/action_url: base URL, templates by event, slots by P-value."""
        return web.json_response(self._action_url())

    async def get_voicemail(self, request: web.Request) -> web.Response:
        """GET /sim/voicemail: unread and on-the-way messages per account."""
        return web.json_response(self._voicemail())

    async def get_clock(self, request: web.Request) -> web.Response:
        """GET /sim/clock: the simulator time and its offset."""
        return web.json_response(self._clock())

    async def get_sessions(self, request: web.Request) -> web.Response:
        """GET /sim/sessions: sessions (sid prefix only), locks, failed logins."""
        return web.json_response(self.sessions.public())

    async def expire_all_sessions(self, request: web.Request) -> web.Response:
        """DELETE /sim/sessions: end every session."""
        ended = self.sessions.expire_all()
        return web.json_response({"expired": ended, **self.sessions.public()})

    async def page(self, request: web.Request) -> web.Response:
        """GET / and /sim/: the control page (ring, answer, Action URL fields)."""
        text = CONTROL_PAGE.format(
            model=html.escape(self.phone.model),
            profile=html.escape(self.profile.name),
            firmware=html.escape(self.phone.firmware),
            mac=html.escape(self.phone.mac),
            base=html.escape(self.pusher.base_url, quote=True),
            slots=self._slot_rows(),
        )
        return web.Response(text=text, content_type="text/html")

    def _slot_rows(self) -> str:
        """Return one row per Action URL field: its P-value, event and current URL."""
        events = {field: event for event, field in ACTION_URL_FIELDS.items()}
        return "".join(
            f"<tr><td>{html.escape(slot)}</td><td>{html.escape(events[slot])}</td>"
            f'<td><input class="slot" data-slot="{html.escape(slot)}" size="70"'
            f' value="{html.escape(str(url), quote=True)}"></td></tr>'
            for slot, url in public_slots(self.store).items()
        )
