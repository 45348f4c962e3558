"""Which API a phone speaks, found without the password (session-spec §1).

Failed logins count toward the phone's lockout, so the choice between the
passcode CTI API and the session API, and between the two session logins,
is made from unauthenticated probes only. The password then goes to one API,
in the right form, once.

* `api-will_login` answering: a session web stack (GRP26xx, GXP, WP8x6).
* `access` answering a nonce: the challenge login (sha256 of password+nonce).
  The nonce is handed on, so the login that follows needs no second request.
* `api.values.get?request=phone_model` answering: GXP16xx (plain login).
* None of these: the passcode CTI API only.

Only a "not found"-type answer (404, an HTML error page, any other 4xx)
says an API is absent. A phone that does not answer, or answers 5xx, 408 or
429 (a busy web server) raises GrandstreamCTIConnectionError instead of being
taken for a passcode phone: the caller tries again later.
"""

from __future__ import annotations

from .errors import GrandstreamCTIConnectionError
from .models import ApiKind, LoginVariant, PhoneApi
from .parsing import loads_lenient
from .session_parsing import parse_nonce, sha256_hex
from .transport import Answer, Lane, Request, Transport
from .wire import (
    ENVELOPE_RESPONSE,
    FUNCTION_ACCESS,
    FUNCTION_VALUES_GET,
    FUNCTION_WILL_LOGIN,
    NAMED_PHONE_MODEL,
    PARAM_ACCESS,
    PARAM_REQUEST,
    RESPONSE_SUCCESS,
)


async def detect_api(
    transport: Transport, username: str
) -> tuple[PhoneApi, str | None]:
    """Return the phone's API and, for the challenge login, a fresh nonce."""

    async def probe(request: Request, label: str) -> Answer:
        answer = await transport.send(request, lane=Lane.READ, label=label, retry=True)
        if answer.status >= 500 or answer.status in (408, 429):
            raise GrandstreamCTIConnectionError(
                f"The phone at {transport.base_url} answered the {label} with "
                f"HTTP {answer.status} (busy?); trying again later"
            )
        return answer

    will_login = await probe(Request.cgi("GET", FUNCTION_WILL_LOGIN), "login probe")
    has_sessions = _answered(will_login)
    if not has_sessions:
        values = await probe(
            Request.cgi(
                "GET", FUNCTION_VALUES_GET, query={PARAM_REQUEST: NAMED_PHONE_MODEL}
            ),
            "model probe",
        )
        if _success(values):
            return PhoneApi(ApiKind.SESSION, LoginVariant.PLAIN), None
    challenge = await probe(
        Request.cgi(
            "POST",
            FUNCTION_ACCESS,
            form={PARAM_ACCESS: sha256_hex(username)},
            browser_headers=True,
        ),
        "login challenge",
    )
    nonce = parse_nonce(challenge.text) if challenge.status == 200 else None
    if nonce is not None:
        return PhoneApi(ApiKind.SESSION, LoginVariant.CHALLENGE), nonce
    if has_sessions:
        return PhoneApi(ApiKind.SESSION, LoginVariant.PLAIN), None
    return PhoneApi(ApiKind.PASSCODE), None


def _answered(answer: Answer) -> bool:
    """Return True when an endpoint exists (200 and not an HTML error page)."""
    return answer.status == 200 and not answer.text.lstrip().startswith("<")


def _success(answer: Answer) -> bool:
    """Return True for a JSON success envelope."""
    if answer.status != 200:
        return False
    value = loads_lenient(answer.text)
    return (
        isinstance(value, dict)
        and str(value.get(ENVELOPE_RESPONSE, "")).strip().lower() == RESPONSE_SUCCESS
    )
