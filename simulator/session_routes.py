"""The web session API's own endpoints (session-spec §1-§5).

Probes, login, logout, keep-alive, configuration reads and writes, handset
extras, and the never-call endpoints. cgi.py checks headers and the session
before these run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from aiohttp import web

from custom_components.grandstream_cti.cti.wire import (
    BODY_FAILED,
    BODY_LOCKED,
    BODY_LOCKOUT,
    BODY_USER_NOT_ALLOWED,
    BODY_WRONG,
    CONFIG_ALIAS,
    CONFIG_CONFIGS,
    CONFIG_PVALUE,
    CONFIG_STATUS,
    CONFIG_STATUS_RIGHT,
    CONFIG_VALUE,
    FUNCTION_ACCESS,
    FUNCTION_BATTERY,
    FUNCTION_CONFIG_GET,
    FUNCTION_CONFIG_UPDATE,
    FUNCTION_DOLOGIN,
    FUNCTION_DOLOGOUT,
    FUNCTION_GET_LOCKOUT,
    FUNCTION_VALUES_GET,
    FUNCTION_VALUES_POST,
    FUNCTION_WIFI_STATUS,
    FUNCTION_WILL_LOGIN,
    LOGIN_DEFAULT_AUTH,
    LOGIN_LOCK_TIME,
    LOGIN_MAC,
    LOGIN_ROLE,
    LOGIN_SID,
    LOGIN_VERSION,
    NAMED_PHONE_MODEL,
    PARAM_ACCESS,
    PARAM_PASSWORD,
    PARAM_PVALUES,
    PARAM_REQUEST,
    PARAM_SID,
    PARAM_USERNAME,
    RESPONSE_ERROR,
    RESPONSE_SUCCESS,
    SESSION_EXPIRED,
)

from .context import CgiRequest
from .gate import INVALID_JSON
from .profiles import Profile
from .render import envelope, html_page, json_answer
from .session import LoginResult, Session, sha256_hex
from .wire import (
    BODY_LOGOUT,
    COOKIE_SESSION_IDENTITY,
    COOKIE_SESSION_ROLE,
    FORBIDDEN_FUNCTIONS,
    FUNCTION_DOREFRESH,
    LOGIN_DEFAULT_LOGIN,
    PARAM_UPDATE_SESSION,
)

Handler = Callable[[CgiRequest], web.Response]
AuthMode = Literal["none", "optional", "session", "cti"]
ExpiredStyle = Literal["html401", "json"]
GET_POST: Final = frozenset({"GET", "POST"})
# Form fields that are not configuration keys in api.values.post.
_NOT_KEYS: Final = frozenset({PARAM_SID, PARAM_UPDATE_SESSION})
OK_BODY: Final = "ok"


def _always(profile: Profile) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A `/cgi-bin` function: its handler and what it needs."""

    handler: Handler
    # none: no session looked at; optional: a session is used (and refreshed)
    # if there is one; session: required; cti: passcode or session.
    auth: AuthMode
    # How "no valid session" looks: 401 HTML, or 200 `session-expired` JSON.
    expired: ExpiredStyle = "html401"
    admin_only: bool = False
    available: Callable[[Profile], bool] = _always
    # Part of the web session API (404 when `session_api` is off).
    web: bool = True
    methods: frozenset[str] = field(default=GET_POST)


def expired_answer(ctx: CgiRequest, style: ExpiredStyle) -> web.Response:
    """Answer "no valid session" the way this endpoint does (spec §2.9)."""
    if style == "json":
        return envelope(RESPONSE_ERROR, {CONFIG_STATUS: SESSION_EXPIRED}, ctx.quirks)
    return html_page(401, "Unauthorized")


def _right(ctx: CgiRequest) -> web.Response:
    return envelope(RESPONSE_SUCCESS, {CONFIG_STATUS: CONFIG_STATUS_RIGHT}, ctx.quirks)


def role_value(profile: Profile, role: str, sid: str) -> str:
    """Return `role` as the login answer carries it (hashed on WP8x6)."""
    return sha256_hex(role + sid) if profile.role_hashed else role


# ----------------------------------------------------------------- probes


def _will_login(ctx: CgiRequest) -> web.Response:
    # Body shape unknown (clients check the status only); refreshes a session.
    return envelope(RESPONSE_SUCCESS, OK_BODY, ctx.quirks)


def _get_lockout(ctx: CgiRequest) -> web.Response:
    username = ctx.params.get(PARAM_USERNAME) or None
    locked = ctx.sim.sessions.is_locked(username)
    return envelope(RESPONSE_SUCCESS, BODY_LOCKOUT if locked else OK_BODY, ctx.quirks)


# ------------------------------------------------------------------ login


def _access(ctx: CgiRequest) -> web.Response:
    # Carries no password: never counts as a failed login.
    access = ctx.params.get(PARAM_ACCESS, "")
    if not access:
        return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
    return envelope(RESPONSE_SUCCESS, ctx.sim.sessions.issue_nonce(access), ctx.quirks)


def _login_refusal(ctx: CgiRequest, result: LoginResult) -> web.Response:
    if result.kind == "not_allowed":
        return envelope(RESPONSE_ERROR, BODY_USER_NOT_ALLOWED, ctx.quirks)
    if result.kind == "locked":
        return envelope(
            RESPONSE_ERROR,
            BODY_LOCKED,
            ctx.quirks,
            **{LOGIN_LOCK_TIME: result.lock_minutes},
        )
    left = "" if result.attempts_left is None else str(result.attempts_left)
    return envelope(RESPONSE_ERROR, BODY_WRONG + left, ctx.quirks)


def _dologin(ctx: CgiRequest) -> web.Response:
    sim, profile = ctx.sim, ctx.profile
    # Old builds sent only `password`: the admin account then.
    username = ctx.params.get(PARAM_USERNAME) or sim.config.admin_username
    given = ctx.params.get(PARAM_PASSWORD)
    result = sim.sessions.login(username, given, profile.login)
    if given is not None:
        kind: Literal["plain", "challenge"] = profile.login
        sim.sessions.record_password(ctx.function, kind, username, result.kind == "ok")
    if result.session is None:
        return _login_refusal(ctx, result)
    session = result.session
    role = role_value(profile, session.role, session.sid)
    body: dict[str, object] = {LOGIN_SID: session.sid, LOGIN_ROLE: role}
    if profile.login_identity:
        body[LOGIN_VERSION] = sim.phone.firmware
        body[LOGIN_MAC] = sim.phone.mac.upper()
    body[LOGIN_DEFAULT_AUTH] = False
    if profile.login_identity:
        body[LOGIN_DEFAULT_LOGIN] = False
    ctx.set_auth("password")
    response = envelope(RESPONSE_SUCCESS, body, ctx.quirks)
    if profile.sets_cookies:
        for name, value in (
            (COOKIE_SESSION_IDENTITY, session.sid),
            (COOKIE_SESSION_ROLE, role),
        ):
            response.set_cookie(name, value, path="/cgi-bin", httponly=True)
    return response


def _dologout(ctx: CgiRequest) -> web.Response:
    # Best effort on the client side, so it always succeeds.
    if ctx.session is not None:
        ctx.sim.sessions.end(ctx.session.sid)
    return envelope(RESPONSE_SUCCESS, BODY_LOGOUT, ctx.quirks)


def _dorefresh(ctx: CgiRequest) -> web.Response:
    return envelope(RESPONSE_SUCCESS, OK_BODY, ctx.quirks)


# ---------------------------------------------------------- configuration


def _note_read(ctx: CgiRequest) -> None:
    if ctx.quirks.expire_after_read and ctx.session is not None:
        ctx.session.read_pending = True


def _expired_by_read(ctx: CgiRequest, session: Session) -> bool:
    """`expire_after_read`: a write right after a read ends the session."""
    if not (ctx.quirks.expire_after_read and session.read_pending):
        return False
    ctx.sim.sessions.end(session.sid)
    return True


def _config_get(ctx: CgiRequest) -> web.Response:
    store = ctx.sim.store
    keys = [key for key in ctx.params.get(PARAM_PVALUES, "").split(",") if key]
    configs = []
    for key in keys:
        alias, value = store.read(key)
        configs.append({CONFIG_ALIAS: alias, CONFIG_PVALUE: key, CONFIG_VALUE: value})
    _note_read(ctx)
    return json_answer({CONFIG_CONFIGS: configs}, ctx.quirks)  # no `response`


def _config_update(ctx: CgiRequest) -> web.Response:
    assert ctx.session is not None  # cgi.py requires one
    if _expired_by_read(ctx, ctx.session):
        return expired_answer(ctx, "html401")
    document = ctx.document
    if document is INVALID_JSON or not isinstance(document, dict):
        return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
    store = ctx.sim.store
    writes: list[tuple[str, str]] = []
    pvalues = document.get(CONFIG_PVALUE)
    if isinstance(pvalues, dict):
        writes += [(str(key), str(value)) for key, value in pvalues.items()]
    aliases = document.get(CONFIG_ALIAS)
    if isinstance(aliases, dict):
        for alias, value in aliases.items():
            key = store.key_for_alias(str(alias))
            if key is not None:
                writes.append((key, str(value)))
    store.write_many(writes, ctx.session.role)
    return _right(ctx)


def _values_get(ctx: CgiRequest) -> web.Response:
    keys = [key for key in ctx.params.get(PARAM_REQUEST, "").split(":") if key]
    if ctx.session is None and not (
        ctx.profile.unauthenticated_phone_model
        and keys
        and set(keys) <= {NAMED_PHONE_MODEL}
    ):
        return expired_answer(ctx, "json")
    body = {key: ctx.sim.store.value(key) for key in keys}  # echoed as asked
    _note_read(ctx)
    return envelope(RESPONSE_SUCCESS, body, ctx.quirks)


def _values_post(ctx: CgiRequest) -> web.Response:
    assert ctx.session is not None  # cgi.py requires one
    if _expired_by_read(ctx, ctx.session):
        return expired_answer(ctx, "json")
    writes = [(k, v) for k, v in ctx.params.items() if k not in _NOT_KEYS]
    ctx.sim.store.write_many(writes, ctx.session.role)
    return _right(ctx)


# ------------------------------------------------------------------ extras


def _battery(ctx: CgiRequest) -> web.Response:
    return json_answer(ctx.sim.handset.battery_json(ctx.sim.phone), ctx.quirks)


def _wifi(ctx: CgiRequest) -> web.Response:
    return json_answer(ctx.sim.handset.wifi_json(ctx.sim.phone), ctx.quirks)


def _forbidden(ctx: CgiRequest) -> web.Response:
    # Recorded as a tripwire before this runs; nothing is ever done.
    return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)


def _challenge(profile: Profile) -> bool:
    return profile.login == "challenge"


def _config_api(profile: Profile) -> bool:
    return profile.config_api


def _values_api(profile: Profile) -> bool:
    return profile.values_api


def _handset(profile: Profile) -> bool:
    return profile.handset


ENDPOINTS: Final[dict[str, Endpoint]] = {
    FUNCTION_WILL_LOGIN: Endpoint(_will_login, "optional"),
    FUNCTION_GET_LOCKOUT: Endpoint(_get_lockout, "none"),
    FUNCTION_ACCESS: Endpoint(_access, "none", available=_challenge),
    FUNCTION_DOLOGIN: Endpoint(_dologin, "none"),
    FUNCTION_DOLOGOUT: Endpoint(_dologout, "optional"),
    FUNCTION_DOREFRESH: Endpoint(_dorefresh, "session"),
    FUNCTION_CONFIG_GET: Endpoint(
        _config_get, "session", expired="json", available=_config_api
    ),
    FUNCTION_CONFIG_UPDATE: Endpoint(
        _config_update,
        "session",
        available=_config_api,
        methods=frozenset({"PUT", "POST"}),
    ),
    FUNCTION_VALUES_GET: Endpoint(
        _values_get, "optional", expired="json", available=_values_api
    ),
    FUNCTION_VALUES_POST: Endpoint(
        _values_post, "session", expired="json", available=_values_api
    ),
    FUNCTION_BATTERY: Endpoint(
        _battery, "session", admin_only=True, available=_handset
    ),
    FUNCTION_WIFI_STATUS: Endpoint(_wifi, "session", available=_handset),
    **{name: Endpoint(_forbidden, "session") for name in sorted(FORBIDDEN_FUNCTIONS)},
}
