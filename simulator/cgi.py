"""The phone's own HTTP side: `/cgi-bin/{function}` and model.define.js.

A `/cgi-bin` request goes through these steps, in order:

1. phone away (rebooting, or the `offline` fault): the connection is closed
   without an answer, and the request is not logged;
2. logged in `/sim/log` (secrets removed); tripwires recorded;
3. faults: `latency` waits, `http500` / `garbage` / `drop` answer so;
4. unknown function, or one this profile does not have: 404 HTML;
5. method: PUT only for config_update (POST too, but 501 on GXP2170);
6. web requests (not GET, not a passcode request) on a phone with the session
   API: no Content-Length → 411 (WP8x6); no same-origin Origin/Referer → 403;
7. authentication, per endpoint: none, an optional session, a required
   session (expired: 401 HTML or `session-expired` JSON), or CTI — a valid
   session, else the passcode: CTI disabled / address not allowed → 403 or
   `failed` (before the passcode, so a refused client learns nothing about
   it), wrong passcode or admin locked → 401, then the pop-up for commands;
8. the handler runs; the state changes before the answer is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

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
from .cti_routes import COMMANDS, FUNCTIONS
from .gate import (
    address_allowed,
    apply_fault,
    drop,
    presents_sid,
    read_request,
    redact,
    same_origin,
    sid_candidates,
)
from .render import dumps, envelope, html_page, model_define_document
from .session import Session
from .session_routes import ENDPOINTS as SESSION_ENDPOINTS, Endpoint, expired_answer
from .tripwires import detect
from .wire import PARAM_UPDATE_SESSION

if TYPE_CHECKING:
    from .server import PhoneSimulator

ENDPOINTS: Final[dict[str, Endpoint]] = {
    **{
        name: Endpoint(handler, "cti", web=False) for name, handler in FUNCTIONS.items()
    },
    **SESSION_ENDPOINTS,
}


def _endpoint(sim: PhoneSimulator, function: str) -> Endpoint | None:
    endpoint = ENDPOINTS.get(function)
    if endpoint is None or (endpoint.web and not sim.config.session_api):
        return None
    return endpoint if endpoint.available(sim.profile) else None


def _passcode_request(ctx: CgiRequest) -> bool:
    """Return True for a passcode CTI request (exempt from the web header rules)."""
    has_password = PARAM_PASSCODE in ctx.params or PARAM_PASSWORD in ctx.params
    return (
        ctx.function in FUNCTIONS
        and has_password
        and not presents_sid(ctx.request, ctx.params)
    )


def _web_checks(ctx: CgiRequest) -> web.Response | None:
    """Apply the web stack's header rules to non-GET requests (spec §2.1)."""
    request = ctx.request
    if request.method == "GET" or not ctx.sim.config.session_api:
        return None
    if ctx.profile.require_content_length and "Content-Length" not in request.headers:
        return html_page(411, "Length Required")
    if not _passcode_request(ctx) and not same_origin(request):
        return html_page(403, "Forbidden")
    return None


def find_session(ctx: CgiRequest) -> Session | None:
    """Return the request's live session, refreshed unless update_session=false."""
    sim = ctx.sim
    if not sim.config.session_api:
        return None
    sids = sid_candidates(ctx.request, ctx.params, sim.profile, ctx.function)
    session = sim.sessions.find(sids)
    if session is not None:
        if ctx.params.get(PARAM_UPDATE_SESSION, "").lower() != "false":
            sim.sessions.touch(session)
        ctx.session = session
        ctx.set_auth("session")
    return session


async def _cti(ctx: CgiRequest, endpoint: Endpoint) -> web.Response:
    """Authenticate a CTI function: a valid session, else the passcode."""
    sim, params = ctx.sim, ctx.params
    given = params.get(PARAM_PASSCODE, params.get(PARAM_PASSWORD))
    session = find_session(ctx)
    if session is not None:
        if given is not None:  # the GRP SDK sends the password too: ignored
            sim.sessions.record_password(
                ctx.function,
                "passcode",
                session.username,
                given == sim.sessions.password_of(session.username),
            )
        return endpoint.handler(ctx)
    if given is not None and sim.profile.passcode_cti:
        config = sim.config
        allowed = (
            [config.allowed_ips]
            if isinstance(config.allowed_ips, str)
            else list(config.allowed_ips)
        )
        if not config.cti_enabled or not address_allowed(ctx.request.remote, allowed):
            if config.denial_style == "failed":
                return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
            return html_page(403, "Forbidden")
        outcome = sim.sessions.check_passcode(given)
        sim.sessions.record_password(
            ctx.function, "passcode", config.admin_username, outcome == "ok"
        )
        if outcome != "ok":
            return html_page(401, "Unauthorized")
        ctx.set_auth("passcode")
        if ctx.function in COMMANDS and config.popup_confirmation:
            if not await sim.wait_confirmation():
                return envelope(RESPONSE_ERROR, BODY_FAILED, ctx.quirks)
            if sim.is_offline():  # rebooted or stopped while waiting
                return drop(ctx.request)
        return endpoint.handler(ctx)
    if given is not None:  # a passcode where the passcode API does not exist
        sim.sessions.record_password(
            ctx.function, "passcode", sim.config.admin_username, False
        )
    elif (
        sim.config.session_api
        and sim.profile.phone_status_unauthorized
        and ctx.function == FUNCTION_PHONE_STATUS
    ):
        return envelope(RESPONSE_SUCCESS, BODY_UNAUTHORIZED, ctx.quirks)
    return html_page(401, "Unauthorized")


async def _authorize(ctx: CgiRequest, endpoint: Endpoint) -> web.Response:
    if endpoint.auth == "cti":
        return await _cti(ctx, endpoint)
    if endpoint.auth == "none":
        return endpoint.handler(ctx)
    session = find_session(ctx)
    if endpoint.auth == "optional":
        return endpoint.handler(ctx)
    if session is None:
        return expired_answer(ctx, endpoint.expired)
    if endpoint.admin_only and session.role != ROLE_ADMIN:
        return html_page(401, "Unauthorized")  # a permission, not an expiry
    return endpoint.handler(ctx)


def cgi_routes(sim: PhoneSimulator) -> list[web.RouteDef]:
    """Return the phone-side routes bound to `sim`."""

    async def cgi(request: web.Request) -> web.Response:
        if sim.is_offline():
            return drop(request)
        function = request.match_info["function"]
        params, document = await read_request(request)
        entry = sim.log_request(function, redact(params), request.method)
        for hit in detect(function, params, document):
            sim.record_tripwire(hit)
        if (faulted := await apply_fault(sim, request)) is not None:
            return faulted
        endpoint = _endpoint(sim, function)
        if endpoint is None:
            return html_page(404, "Not Found")
        if request.method not in endpoint.methods or (
            function == FUNCTION_CONFIG_UPDATE
            and request.method == "POST"
            and sim.profile.put_only_config_update
        ):
            return html_page(501, "Not Implemented")
        ctx = CgiRequest(sim, request, function, params, document, entry)
        if (refused := _web_checks(ctx)) is not None:
            return refused
        return await _authorize(ctx, endpoint)

    async def model_define(request: web.Request) -> web.Response:
        if sim.is_offline():
            return drop(request)
        if (faulted := await apply_fault(sim, request)) is not None:
            return faulted
        document = model_define_document(
            sim.profile.model_define, sim.phone, sim.quirks
        )
        if not sim.config.model_define or document is None:
            return html_page(404, "Not Found")
        return web.Response(
            text=dumps(document),
            content_type="application/javascript",
            charset="utf-8",
        )

    handlers: list[tuple[str, Callable[[web.Request], Awaitable[web.Response]]]] = [
        (CGI_PREFIX + "{function}", cgi),
        (MODEL_DEFINE_PATH, model_define),
    ]
    routes: list[web.RouteDef] = []
    for path, handle in handlers:
        routes.append(web.get(path, handle, allow_head=False))
        routes.append(web.post(path, handle))
    routes.append(web.put(CGI_PREFIX + "{function}", cgi))
    return routes
