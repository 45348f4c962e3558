"""The web session API's own endpoints (session-spec §1-§5): `SessionEndpoints`.

Probes, login, logout, keep-alive, configuration reads and writes, handset
extras, and the never-call endpoints, one method each. cgi.py checks headers
and the session before these run. The handlers use the sessions, the config
store, the phone and the handset they are built with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from aiohttp import web

from custom_components.grandstream_cti.cti.wire import (
    BODY_FAILED,
    BODY_LOCKED,
    BODY_LOCKOUT,
    BODY_UNAUTHORIZED,
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

from .context import CgiRequest, Handler
from .gate import INVALID_JSON
from .render import envelope, html_page, json_answer
from .session import LoginResult, Session, SessionManager, sha256_hex
from .wire import (
    API_PREFIX,
    BODY_LOGOUT,
    COOKIE_SESSION_IDENTITY,
    COOKIE_SESSION_ROLE,
    FORBIDDEN_FUNCTIONS,
    FUNCTION_DOREFRESH,
    LOGIN_DEFAULT_LOGIN,
    MESSAGE_FIELD,
    PARAM_UPDATE_SESSION,
)

if TYPE_CHECKING:
    from .config import SimulatorConfig
    from .config_store import ConfigStore
    from .handset import Handset
    from .phone import Phone
    from .profiles import Profile

AuthMode = Literal["none", "optional", "session", "cti"]
ExpiredStyle = Literal["html401", "json"]
GET_POST: Final = frozenset({"GET", "POST"})
# Form fields that are not configuration keys in api.values.post.
_NOT_KEYS: Final = frozenset({PARAM_SID, PARAM_UPDATE_SESSION})
OK_BODY: Final = "ok"


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
    # Part of the web session API (404 when `session_api` is off).
    web: bool = True
    methods: frozenset[str] = field(default=GET_POST)


def expired_answer(
    ctx: CgiRequest, style: ExpiredStyle, profile: Profile
) -> web.Response:
    """Answer "no valid session" the way this endpoint does (spec §2.9).

    GDS/GSC (`unauthorized="api"`): every `api-*` function answers 200
    `{"response":"success","body":"unauthorized"}` (grandstream-home-api).
    """
    if profile.unauthorized == "api" and ctx.function.startswith(API_PREFIX):
        return envelope(RESPONSE_SUCCESS, BODY_UNAUTHORIZED, ctx.quirks)
    if style == "json":
        return envelope(RESPONSE_ERROR, {CONFIG_STATUS: SESSION_EXPIRED}, ctx.quirks)
    return html_page(401, "Unauthorized")


def not_allowed_answer(ctx: CgiRequest, profile: Profile) -> web.Response:
    """Answer "user is not allow": web access off for this account.

    GDS/GSC also put the words in `message`, where grandstream-home-api
    looks for them (Home Assistant control off); `body` as on WP8x6.
    """
    extra = {MESSAGE_FIELD: BODY_USER_NOT_ALLOWED} if profile.ha_control_switch else {}
    return envelope(RESPONSE_ERROR, BODY_USER_NOT_ALLOWED, ctx.quirks, **extra)


def _right(ctx: CgiRequest) -> web.Response:
    return envelope(RESPONSE_SUCCESS, {CONFIG_STATUS: CONFIG_STATUS_RIGHT}, ctx.quirks)


def role_value(profile: Profile, role: str, sid: str) -> str:
    """Return `role` as the login answer carries it (hashed on WP8x6)."""
    return sha256_hex(role + sid) if profile.role_hashed else role


def _note_read(ctx: CgiRequest) -> None:
    if ctx.quirks.expire_after_read and ctx.session is not None:
        ctx.session.read_pending = True


class SessionEndpoints:
    """The web API of one phone: logins, sessions, its settings, its extras."""

    def __init__(
        self,
        *,
        profile: Profile,
        config: SimulatorConfig,
        sessions: SessionManager,
        store: ConfigStore,
        phone: Phone,
        handset: Handset,
    ) -> None:
        """Serve the given parts (the firmware profile decides what exists)."""
        self.profile = profile
        self.config = config
        self.sessions = sessions
        self.store = store
        self.phone = phone
        self.handset = handset

    def web_access_allowed(self) -> bool:
        """Return False while GDS/GSC "Home Assistant control" is off."""
        return not (self.profile.ha_control_switch and not self.config.ha_control)

    def table(self) -> dict[str, Endpoint]:
        """Return the endpoints this profile has, by function name."""
        profile = self.profile
        table: dict[str, Endpoint] = {
            FUNCTION_WILL_LOGIN: Endpoint(self.will_login, "optional"),
            FUNCTION_GET_LOCKOUT: Endpoint(self.get_lockout, "none"),
            FUNCTION_DOLOGIN: Endpoint(self.dologin, "none"),
            FUNCTION_DOLOGOUT: Endpoint(self.dologout, "optional"),
            FUNCTION_DOREFRESH: Endpoint(self.dorefresh, "session"),
        }
        if profile.login == "challenge":
            table[FUNCTION_ACCESS] = Endpoint(self.access, "none")
        if profile.config_api:
            table[FUNCTION_CONFIG_GET] = Endpoint(
                self.config_get, "session", expired="json"
            )
            table[FUNCTION_CONFIG_UPDATE] = Endpoint(
                self.config_update, "session", methods=frozenset({"PUT", "POST"})
            )
        if profile.values_api:
            table[FUNCTION_VALUES_GET] = Endpoint(
                self.values_get, "optional", expired="json"
            )
            table[FUNCTION_VALUES_POST] = Endpoint(
                self.values_post, "session", expired="json"
            )
        if profile.handset:
            table[FUNCTION_BATTERY] = Endpoint(self.battery, "session", admin_only=True)
            table[FUNCTION_WIFI_STATUS] = Endpoint(self.wifi, "session")
        for name in sorted(FORBIDDEN_FUNCTIONS):
            table[name] = Endpoint(self.forbidden, "session")
        return table

    # ------------------------------------------------------------- probes

    def will_login(self, ctx: CgiRequest) -> web.Response:
        """`api-will_login`: body shape unknown (clients check the status only)."""
        return envelope(RESPONSE_SUCCESS, OK_BODY, ctx.quirks)

    def get_lockout(self, ctx: CgiRequest) -> web.Response:
        """`api-get_lockout[?username=]`: "ok" or "lockout"."""
        username = ctx.params.get(PARAM_USERNAME) or None
        locked = self.sessions.is_locked(username)
        body = BODY_LOCKOUT if locked else OK_BODY
        return envelope(RESPONSE_SUCCESS, body, ctx.quirks)

    # -------------------------------------------------------------- login

    def access(self, ctx: CgiRequest) -> web.Response:
        """`access`: a nonce; carries no password, so it never counts."""
        access = ctx.params.get(PARAM_ACCESS, "")
        if not access:
            return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
        return envelope(RESPONSE_SUCCESS, self.sessions.issue_nonce(access), ctx.quirks)

    def _login_refusal(self, ctx: CgiRequest, result: LoginResult) -> web.Response:
        if result.kind == "not_allowed":
            return not_allowed_answer(ctx, self.profile)
        if result.kind == "locked":
            seconds = self.profile.lock_time_unit == "seconds"
            lock_time = result.lock_seconds if seconds else result.lock_minutes
            return envelope(
                RESPONSE_ERROR, BODY_LOCKED, ctx.quirks, **{LOGIN_LOCK_TIME: lock_time}
            )
        left = "" if result.attempts_left is None else str(result.attempts_left)
        return envelope(RESPONSE_ERROR, BODY_WRONG + left, ctx.quirks)

    def dologin(self, ctx: CgiRequest) -> web.Response:
        """`dologin`: challenge or plain password; the answer per profile."""
        profile, sessions = self.profile, self.sessions
        # Old builds sent only `password`: the admin account then.
        username = ctx.params.get(PARAM_USERNAME) or self.config.admin_username
        given = ctx.params.get(PARAM_PASSWORD)
        result = sessions.login(
            username, given, profile.login, allowed=self.web_access_allowed()
        )
        if given is not None:
            kind: Literal["plain", "challenge"] = profile.login
            sessions.record_password(ctx.function, kind, username, result.kind == "ok")
        if result.session is None:
            return self._login_refusal(ctx, result)
        session = result.session
        role = role_value(profile, session.role, session.sid)
        body: dict[str, object] = {LOGIN_SID: session.sid, LOGIN_ROLE: role}
        if profile.login_identity:
            body[LOGIN_VERSION] = self.phone.firmware
            body[LOGIN_MAC] = self.phone.mac.upper()
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

    def dologout(self, ctx: CgiRequest) -> web.Response:
        """`dologout`: best effort on the client side, so it always succeeds."""
        if ctx.session is not None:
            self.sessions.end(ctx.session.sid)
        return envelope(RESPONSE_SUCCESS, BODY_LOGOUT, ctx.quirks)

    def dorefresh(self, ctx: CgiRequest) -> web.Response:
        """`dorefresh`: the keep-alive (the session was refreshed by finding it)."""
        return envelope(RESPONSE_SUCCESS, OK_BODY, ctx.quirks)

    # ------------------------------------------------------ configuration

    def _expired_by_read(self, ctx: CgiRequest, session: Session) -> bool:
        """`expire_after_read`: a write right after a read ends the session."""
        if not (ctx.quirks.expire_after_read and session.read_pending):
            return False
        self.sessions.end(session.sid)
        return True

    def config_get(self, ctx: CgiRequest) -> web.Response:
        """`config_get?pvalues=`: every key answered, as asked; no `response`."""
        keys = [key for key in ctx.params.get(PARAM_PVALUES, "").split(",") if key]
        configs = []
        for key in keys:
            alias, value = self.store.read(key)
            configs.append(
                {CONFIG_ALIAS: alias, CONFIG_PVALUE: key, CONFIG_VALUE: value}
            )
        _note_read(ctx)
        return json_answer({CONFIG_CONFIGS: configs}, ctx.quirks)

    def config_update(self, ctx: CgiRequest) -> web.Response:
        """PUT `config_update` `{"alias":{},"pvalue":{...}}`: "right", read back."""
        assert ctx.session is not None  # cgi.py requires one
        if self._expired_by_read(ctx, ctx.session):
            return expired_answer(ctx, "html401", self.profile)
        document = ctx.document
        if document is INVALID_JSON or not isinstance(document, dict):
            return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
        writes: list[tuple[str, str]] = []
        pvalues = document.get(CONFIG_PVALUE)
        if isinstance(pvalues, dict):
            writes += [(str(key), str(value)) for key, value in pvalues.items()]
        aliases = document.get(CONFIG_ALIAS)
        if isinstance(aliases, dict):
            for alias, value in aliases.items():
                key = self.store.key_for_alias(str(alias))
                if key is not None:
                    writes.append((key, str(value)))
        self.store.write_many(writes, ctx.session.role)
        return _right(ctx)

    def values_get(self, ctx: CgiRequest) -> web.Response:
        """`api.values.get?request=`: keys echoed as asked (GXP16xx, GSC)."""
        keys = [key for key in ctx.params.get(PARAM_REQUEST, "").split(":") if key]
        if ctx.session is None and not (
            self.profile.unauthenticated_phone_model
            and keys
            and set(keys) <= {NAMED_PHONE_MODEL}
        ):
            return expired_answer(ctx, "json", self.profile)
        body = {key: self.store.value(key) for key in keys}
        _note_read(ctx)
        return envelope(RESPONSE_SUCCESS, body, ctx.quirks)

    def values_post(self, ctx: CgiRequest) -> web.Response:
        """`api.values.post`: `P8310=...&sid=` form writes; "right", read back."""
        assert ctx.session is not None  # cgi.py requires one
        if self._expired_by_read(ctx, ctx.session):
            return expired_answer(ctx, "json", self.profile)
        writes = [(k, v) for k, v in ctx.params.items() if k not in _NOT_KEYS]
        self.store.write_many(writes, ctx.session.role)
        return _right(ctx)

    # ------------------------------------------------------------- extras

    def battery(self, ctx: CgiRequest) -> web.Response:
        """`api-get_battery_status` (admin only; data beside `response`)."""
        return json_answer(self.handset.battery_json(self.phone), ctx.quirks)

    def wifi(self, ctx: CgiRequest) -> web.Response:
        """`api-wifi_status_get` (data beside `response`)."""
        return json_answer(self.handset.wifi_json(self.phone), ctx.quirks)

    def forbidden(self, ctx: CgiRequest) -> web.Response:
        """Answer a never-call endpoint (recorded as a tripwire first): nothing done."""
        return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
