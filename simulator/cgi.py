"""The phone's own HTTP side: `/cgi-bin/{function}` and model.define.js.

A `/cgi-bin` request goes through these steps, in order:

1. phone away (rebooting, or the `offline` fault): the connection is closed
   without an answer, and the request is not logged;
2. logged in `/sim/log` (secrets removed); tripwires recorded;
3. faults: `latency` waits, `http500` / `garbage` / `drop` answer so;
4. unknown function, or one this profile does not have: 404 HTML;
5. method: PUT only for config_update (POST too, but 501 on GXP2170);
6. web requests (not GET, not a passcode request) on a phone with the session
   API: no Content-Length → 411 (WP8x6); no same-origin Origin/Referer → 403
   (strict sessions: Referer exactly `<scheme>://<host>/`);
7. authentication, per endpoint: none, an optional session, a required
   session (expired: 401 HTML, `session-expired` JSON, or on GSC
   `"unauthorized"` for `api-*`), or CTI — a valid session, else the
   passcode: CTI disabled / address not allowed → 403 or `failed` (before
   the passcode, so a refused client learns nothing about it), wrong
   passcode or admin locked → 401, then the pop-up for commands. A session
   on a GSC with Home Assistant control off: "user is not allow";
8. the handler runs; the state changes before the answer is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from custom_components.grandstream_cti.cti.wire import (
    BODY_FAILED,
    BODY_UNAUTHORIZED,
    CGI_PREFIX,
    FUNCTION_CONFIG_UPDATE,
    FUNCTION_PHONE_STATUS,
    MODEL_DEFINE_PATH,
    PARAM_PASSCODE,
    PARAM_PASSWORD,
    RESPONSE_ERROR,
    RESPONSE_SUCCESS,
    ROLE_ADMIN,
)

from .context import CgiRequest
from .cti_routes import COMMANDS, CtiFunctions
from .gate import (
    address_allowed,
    drop,
    exact_referer,
    presents_sid,
    read_request,
    redact,
    same_origin,
    sid_candidates,
)
from .render import dumps, envelope, html_page, model_define_document
from .session import Session
from .session_routes import (
    Endpoint,
    SessionEndpoints,
    expired_answer,
    not_allowed_answer,
)
from .tripwires import detect
from .wire import PARAM_UPDATE_SESSION

if TYPE_CHECKING:
    from .activity import RequestLog
    from .config import SimulatorConfig
    from .faults import Faults
    from .phone import Phone
    from .popup import Popup
    from .profiles import Profile
    from .render import Quirks
    from .session import SessionManager


class CgiApp:
    """The phone's `/cgi-bin` dispatcher and `model.define.js`."""

    def __init__(
        self,
        *,
        profile: Profile,
        config: SimulatorConfig,
        quirks: Quirks,
        phone: Phone,
        sessions: SessionManager,
        faults: Faults,
        log: RequestLog,
        popup: Popup,
        cti: CtiFunctions,
        web_api: SessionEndpoints,
    ) -> None:
        """Dispatch to the CTI functions and the web endpoints given."""
        self.profile = profile
        self.config = config
        self.quirks = quirks
        self.phone = phone
        self.sessions = sessions
        self.faults = faults
        self.log = log
        self.popup = popup
        self.web_api = web_api
        self.cti_functions = cti.table()
        self.endpoints: dict[str, Endpoint] = {
            **{
                name: Endpoint(handler, "cti", web=False)
                for name, handler in self.cti_functions.items()
            },
            **web_api.table(),
        }

    def routes(self) -> list[web.RouteDef]:
        """Return the phone-side routes: `/cgi-bin/{function}`, model.define.js."""
        cgi = CGI_PREFIX + "{function}"
        return [
            web.get(cgi, self.handle_cgi, allow_head=False),
            web.post(cgi, self.handle_cgi),
            web.put(cgi, self.handle_cgi),
            web.get(MODEL_DEFINE_PATH, self.handle_model_define, allow_head=False),
            web.post(MODEL_DEFINE_PATH, self.handle_model_define),
        ]

    # ------------------------------------------------------------- routes

    async def handle_cgi(self, request: web.Request) -> web.Response:
        """Answer one `/cgi-bin` request, through the steps above."""
        if self.faults.away():
            return drop(request)
        function = request.match_info["function"]
        params, document = await read_request(request)
        entry = self.log.log(function, redact(params), request.method)
        for hit in detect(function, params, document):
            self.log.record_tripwire(hit)
        if (faulted := await self.faults.answer(request)) is not None:
            return faulted
        endpoint = self._endpoint(function)
        if endpoint is None:
            return html_page(404, "Not Found")
        if request.method not in endpoint.methods or (
            function == FUNCTION_CONFIG_UPDATE
            and request.method == "POST"
            and self.profile.put_only_config_update
        ):
            return html_page(501, "Not Implemented")
        ctx = CgiRequest(request, function, params, document, entry, self.quirks)
        if (refused := self._web_checks(ctx)) is not None:
            return refused
        return await self._authorize(ctx, endpoint)

    async def handle_model_define(self, request: web.Request) -> web.Response:
        """Answer `/json/configs/model.define.js` (no login, no CTI switch)."""
        if self.faults.away():
            return drop(request)
        if (faulted := await self.faults.answer(request)) is not None:
            return faulted
        document = model_define_document(self.profile, self.phone, self.quirks)
        if not self.config.model_define or document is None:
            return html_page(404, "Not Found")
        return web.Response(
            text=dumps(document),
            content_type="application/javascript",
            charset="utf-8",
        )

    # ------------------------------------------------------------- checks

    def _endpoint(self, function: str) -> Endpoint | None:
        endpoint = self.endpoints.get(function)
        if endpoint is None or (endpoint.web and not self.config.session_api):
            return None
        return endpoint

    def _passcode_request(self, ctx: CgiRequest) -> bool:
        """Return True for a passcode CTI request (exempt from the web header rules)."""
        params = ctx.params
        has_password = PARAM_PASSCODE in params or PARAM_PASSWORD in params
        return (
            ctx.function in self.cti_functions
            and has_password
            and not presents_sid(ctx.request, params)
        )

    def _web_checks(self, ctx: CgiRequest) -> web.Response | None:
        """Apply the web stack's header rules to non-GET requests (spec §2.1)."""
        request = ctx.request
        if request.method == "GET" or not self.config.session_api:
            return None
        if (
            self.profile.require_content_length
            and "Content-Length" not in request.headers
        ):
            return html_page(411, "Length Required")
        if self._passcode_request(ctx):
            return None
        strict = self.config.strict_session
        if not (exact_referer(request) if strict else same_origin(request)):
            return html_page(403, "Forbidden")
        return None

    def find_session(self, ctx: CgiRequest) -> Session | None:
        """Return the request's live session, refreshed unless update_session=false."""
        if not self.config.session_api:
            return None
        sids = sid_candidates(
            ctx.request,
            ctx.params,
            self.profile,
            ctx.function,
            strict=self.config.strict_session,
        )
        session = self.sessions.find(sids)
        if session is not None:
            if ctx.params.get(PARAM_UPDATE_SESSION, "").lower() != "false":
                self.sessions.touch(session)
            ctx.session = session
            ctx.set_auth("session")
        return session

    async def _cti(self, ctx: CgiRequest, endpoint: Endpoint) -> web.Response:
        """Authenticate a CTI function: a valid session, else the passcode."""
        sessions, config, params = self.sessions, self.config, ctx.params
        given = params.get(PARAM_PASSCODE, params.get(PARAM_PASSWORD))
        session = self.find_session(ctx)
        if session is not None:
            if not self.web_api.web_access_allowed():
                return not_allowed_answer(ctx, self.profile)
            if given is not None:  # the GRP SDK sends the password too: ignored
                sessions.record_password(
                    ctx.function,
                    "passcode",
                    session.username,
                    given == sessions.password_of(session.username),
                )
            return endpoint.handler(ctx)
        if given is not None and self.profile.passcode_cti:
            allowed = (
                [config.allowed_ips]
                if isinstance(config.allowed_ips, str)
                else list(config.allowed_ips)
            )
            if not config.cti_enabled or not address_allowed(
                ctx.request.remote, allowed
            ):
                if config.denial_style == "failed":
                    return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
                return html_page(403, "Forbidden")
            outcome = sessions.check_passcode(given)
            sessions.record_password(
                ctx.function, "passcode", config.admin_username, outcome == "ok"
            )
            if outcome != "ok":
                return html_page(401, "Unauthorized")
            ctx.set_auth("passcode")
            if ctx.function in COMMANDS and config.popup_confirmation:
                if not await self.popup.wait():
                    return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
                if self.faults.away():  # rebooted or stopped while waiting
                    return drop(ctx.request)
            return endpoint.handler(ctx)
        if given is not None:  # a passcode where the passcode API does not exist
            sessions.record_password(
                ctx.function, "passcode", config.admin_username, False
            )
        elif config.session_api and (
            self.profile.unauthorized == "api"
            or (
                self.profile.unauthorized == "phone_status"
                and ctx.function == FUNCTION_PHONE_STATUS
            )
        ):
            return envelope(RESPONSE_SUCCESS, BODY_UNAUTHORIZED, ctx.quirks)
        return html_page(401, "Unauthorized")

    async def _authorize(self, ctx: CgiRequest, endpoint: Endpoint) -> web.Response:
        if endpoint.auth == "cti":
            return await self._cti(ctx, endpoint)
        if endpoint.auth == "none":
            return endpoint.handler(ctx)
        session = self.find_session(ctx)
        if endpoint.auth == "optional":
            return endpoint.handler(ctx)
        if session is None:
            return expired_answer(ctx, endpoint.expired, self.profile)
        if not self.web_api.web_access_allowed():
            return not_allowed_answer(ctx, self.profile)
        if endpoint.admin_only and session.role != ROLE_ADMIN:
            return html_page(401, "Unauthorized")  # a permission, not an expiry
        return endpoint.handler(ctx)
