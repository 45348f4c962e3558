"""Async client for one Grandstream phone.

The phone speaks the passcode CTI API, the web session API, or both; the
client finds out which from unauthenticated probes (`detect.py`) the first
time it needs to, and talks through that one (`auth.py`, the only place the
password goes on the wire). Callers see the same methods either way;
configuration (DND, Click-To-Dial, Action URL slots), battery and Wi-Fi need
a session and raise GrandstreamCTIUnsupportedError on passcode-only phones.

* Reads are retried once on a transport failure; commands never (hold is a
  toggle); a password is never retried (see auth.py).
* get_model_info() never raises for a phone that answers HTTP (any status,
  any body: fields are None); it raises GrandstreamCTIConnectionError when
  the phone cannot be reached at all, so a config flow can tell
  "unreachable" from "no model facts".
* The last answer of each function is kept (`last_answers`, decoded JSON)
  for diagnostics; callers redact personal fields.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import replace
import logging
import time
from typing import Any, Final

import aiohttp

from .action_url import ACTION_URL_FIELDS, SlotPlan, plan_action_url_slots
from .auth import (
    METHOD_GET,
    METHOD_POST,
    Auth,
    Call,
    Clock,
    NetworkMac,
    PasscodeAuth,
    SessionAuth,
)
from .detect import detect_api
from .errors import (
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIError,
    GrandstreamCTIPermissionError,
    GrandstreamCTIResponseError,
    GrandstreamCTIUnsupportedError,
    GrandstreamCTIWriteRejectedError,
)
from .keys import normalize_keys
from .models import (
    Account,
    ApiKind,
    Battery,
    Line,
    ModelInfo,
    PhoneApi,
    PhoneOperation,
    PhoneState,
    SessionInfo,
    WifiStatus,
)
from .numbers import validate_number
from .parsing import (
    INVALID,
    MESSAGE_ACCESS_DENIED,
    MESSAGE_AUTHENTICATION,
    check_command,
    loads_lenient,
    parse_accounts,
    parse_envelope,
    parse_line_status,
    parse_model_define,
    parse_phone_status,
    read_body,
    redact,
)
from .session_parsing import (
    check_config_write,
    config_key,
    parse_battery,
    parse_config_entries,
    parse_values_get,
    parse_wifi,
)
from .settings import (
    ConfigValue,
    Setting,
    setting_wire,
    unread_voicemail_key,
)
from .snapshot import Capabilities, PhoneFacts, PhoneSnapshot
from .transport import (
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_TIMEOUT,
    Answer,
    Lane,
    Request,
    Transport,
)
from .wire import (
    CONFIG_ALIAS,
    CONFIG_PVALUE,
    FORBIDDEN_PVALUES,
    FUNCTION_ACCOUNTS,
    FUNCTION_BATTERY,
    FUNCTION_CONFIG_GET,
    FUNCTION_CONFIG_UPDATE,
    FUNCTION_LINE_STATUS,
    FUNCTION_MAKE_CALL,
    FUNCTION_PHONE_OPERATION,
    FUNCTION_PHONE_STATUS,
    FUNCTION_SEND_KEY,
    FUNCTION_SYS_OPERATION,
    FUNCTION_VALUES_GET,
    FUNCTION_VALUES_POST,
    FUNCTION_WIFI_STATUS,
    KEY_SEPARATOR,
    MODEL_DEFINE_PATH,
    PARAM_ACCOUNT,
    PARAM_CMD,
    PARAM_KEYS,
    PARAM_LINE,
    PARAM_PHONENUMBER,
    PARAM_PVALUES,
    PARAM_REQUEST,
    PVALUE_CLICK_TO_DIAL,
    PVALUE_FIRMWARE,
    PVALUE_MAC,
    RUNTIME_DND,
    SYS_REBOOT,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_USERNAME: Final = "admin"
# How much of each function's last answer is kept for diagnostics.
MAX_KEPT_ANSWER: Final = 16384
# Accounts asked for unread voicemail when the model does not say how many.
MAX_ACCOUNTS: Final = 6
# A phone's key sequences are short; more is a mistake (or abuse).
MAX_KEYS: Final = 32
# Configuration keys the client may write: Action URL slots, DND,
# Click-To-Dial and the handset settings. Never passwords, provisioning or
# firmware paths.
WRITABLE_KEYS: Final = frozenset(
    {
        *(config_key(field) for field in ACTION_URL_FIELDS.values()),
        RUNTIME_DND,
        PVALUE_CLICK_TO_DIAL,
        *Setting,
    }
)
# Functions whose last answer diagnostics show.
_DIAGNOSED: Final = frozenset(
    {
        FUNCTION_LINE_STATUS,
        FUNCTION_PHONE_STATUS,
        FUNCTION_ACCOUNTS,
        FUNCTION_CONFIG_GET,
        FUNCTION_VALUES_GET,
        FUNCTION_BATTERY,
        FUNCTION_WIFI_STATUS,
        FUNCTION_MAKE_CALL,
        FUNCTION_PHONE_OPERATION,
        FUNCTION_SEND_KEY,
    }
)


class GrandstreamCTIClient:
    """Talk to one Grandstream phone over its CTI or session API."""

    def __init__(
        self,
        host: str,
        passcode: str,
        *,
        session: aiohttp.ClientSession,
        port: int | None = None,
        use_ssl: bool = False,
        verify_ssl: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        username: str = DEFAULT_USERNAME,
        api: PhoneApi | None = None,
        expected_mac: str | None = None,
        network_mac: NetworkMac | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        """Initialize the client (no I/O).

        passcode is the phone's web admin or user password (the CTI API calls
        it the passcode); username names the account for session logins.
        api: the API the phone proved it speaks; the client then never
        detects or falls back to another (the password goes in that form
        only). expected_mac: the phone's MAC; a login that tells another one
        stops the client (GrandstreamCTIWrongDeviceError), and so does another
        MAC that network_mac (the neighbour table) shows before a login. clock: seconds,
        for how long a lock or a contested session makes the client wait.
        host may be a name, an IPv4 address or an IPv6 address with or without
        brackets. Raises ValueError for an invalid host, port, timeout or limit.
        """
        self._transport = Transport(
            host,
            session=session,
            port=port,
            use_ssl=use_ssl,
            verify_ssl=verify_ssl,
            timeout=timeout,
            max_concurrent_requests=max_concurrent_requests,
        )
        self._password = passcode
        self._username = username.strip() or DEFAULT_USERNAME
        self._api = api
        self._expected_mac = expected_mac
        self._network_mac = network_mac
        self._clock = clock
        self._auth: Auth | None = None
        self._setup_lock = asyncio.Lock()
        # Which config API a session phone has (config_get or api.values).
        self._config_values_api: bool | None = None
        # The last answer of each function, as sent (decoded when asked for).
        self._last_texts: dict[str, str] = {}
        # Per read function: the last answer's text and what it parsed to.
        self._parsed: dict[str, tuple[str, object]] = {}

    def __repr__(self) -> str:
        """Return a representation without the password."""
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """Return scheme://host[:port] (never the password)."""
        return self._transport.base_url

    @property
    def timeout(self) -> float:
        """Return the seconds a request may take, its queue wait included."""
        return self._transport.timeout

    @property
    def username(self) -> str:
        """Return the account name used for session logins."""
        return self._username

    @property
    def api(self) -> PhoneApi | None:
        """Return the API in use, once known."""
        return self._api

    @property
    def password_rejected(self) -> bool:
        """Return True once the phone rejected the password (nothing more is sent)."""
        return self._auth is not None and self._auth.rejected

    @property
    def stopped(self) -> GrandstreamCTIError | None:
        """Return why the client sends nothing more (None while it may)."""
        return None if self._auth is None else self._auth.stopped_error()

    @property
    def session_contested(self) -> bool:
        """Return True while another login keeps taking the phone's session."""
        return isinstance(self._auth, SessionAuth) and self._auth.contested

    @property
    def session_info(self) -> SessionInfo | None:
        """Return what the last login told (None without a session)."""
        auth = self._auth
        return auth.info if isinstance(auth, SessionAuth) else None

    @property
    def last_answers(self) -> dict[str, object]:
        """Return the last answer of each function, decoded, without secrets.

        Kept as text and decoded only here (diagnostics): polling parses each
        answer once.
        """
        answers: dict[str, object] = {}
        for function, text in self._last_texts.items():
            clean = redact(text, self._secrets)
            value = loads_lenient(clean)
            answers[function] = clean[:500] if value is INVALID else value
        return answers

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self._password,) if self._auth is None else self._auth.secrets

    # ------------------------------------------------------------------
    # Authentication

    async def _authenticator(self) -> Auth:
        """Return the authenticator, detecting the API the first time."""
        if self._auth is not None:
            return self._auth
        async with self._setup_lock:
            if self._auth is None:
                nonce: str | None = None
                if self._api is None:
                    self._api, nonce = await detect_api(self._transport, self._username)
                    _LOGGER.debug("%s speaks the %s API", self.base_url, self._api.kind)
                if self._api.kind is ApiKind.SESSION:
                    assert self._api.login is not None
                    self._auth = SessionAuth(
                        self._transport,
                        self._username,
                        self._password,
                        self._api.login,
                        nonce=nonce,
                        expected_mac=self._expected_mac,
                        network_mac=self._network_mac,
                        clock=self._clock,
                    )
                else:
                    self._auth = PasscodeAuth(
                        self._transport, self._password, clock=self._clock
                    )
            return self._auth

    async def detect(self) -> PhoneApi:
        """Return the phone's API: the one given, or found without the password."""
        await self._authenticator()
        assert self._api is not None
        return self._api

    async def login(self) -> SessionInfo | None:
        """Detect the API and, for a session phone, log in (one password request).

        Returns what the login told (MAC, firmware, role), or None for a
        passcode phone, whose password is first tried by the next request.
        """
        auth = await self._authenticator()
        if not isinstance(auth, SessionAuth):
            auth.check_stopped()
            return None
        await auth.login()
        await self._complete_identity(auth)
        assert auth.info is not None
        return auth.info

    async def _complete_identity(self, auth: SessionAuth) -> None:
        """Read MAC and firmware a login did not tell (P67, P68); check the MAC.

        Plain-login firmware (GXP16xx) tells neither in its login answer.
        """
        if not auth.identity_pending:
            return
        auth.identity_pending = False
        info = auth.info
        assert info is not None
        try:
            values = await self.get_config([PVALUE_MAC, PVALUE_FIRMWARE])
        except (GrandstreamCTIResponseError, GrandstreamCTIPermissionError):
            return
        auth.info = replace(
            info,
            mac=info.mac or values[PVALUE_MAC].strip() or None,
            firmware=info.firmware or values[PVALUE_FIRMWARE].strip() or None,
        )
        auth.check_mac(auth.info.mac)

    async def logout(self) -> None:
        """End the session, if any (best effort; nothing is raised)."""
        if self._auth is not None:
            await self._auth.logout()

    async def _send(self, call: Call, *, expect_drop: bool = False) -> Answer | None:
        auth = await self._authenticator()
        answer = await auth.send(call, expect_drop=expect_drop)
        if isinstance(auth, SessionAuth) and auth.identity_pending:
            # A login on the way told no MAC: check it before going on.
            await self._complete_identity(auth)
        return answer

    async def _answer(self, call: Call) -> Answer:
        answer = await self._send(call)
        assert answer is not None
        self._check_status(answer, call.name)
        if call.function in _DIAGNOSED:
            self._last_texts[call.function] = answer.text[:MAX_KEPT_ANSWER]
        return answer

    def _check_status(self, answer: Answer, label: str) -> None:
        """Raise for an HTTP status other than 200."""
        status = answer.status
        if status == 200:
            return
        if status == 401:
            raise GrandstreamCTIAuthenticationError(MESSAGE_AUTHENTICATION)
        if status == 403:
            raise GrandstreamCTIAccessDeniedError(
                f"{MESSAGE_ACCESS_DENIED} (HTTP 403 for {label})",
                session=self._session,
            )
        if 300 <= status < 400:
            raise GrandstreamCTIResponseError(
                f"The phone at {self.base_url} redirected {label} (HTTP {status}); "
                "check the HTTPS option and the port"
            )
        if status == 404:
            raise GrandstreamCTIResponseError(
                f"The phone at {self.base_url} does not know {label} (HTTP 404); "
                "is it a Grandstream phone with the CTI API?"
            )
        raise GrandstreamCTIResponseError(
            f"The phone at {self.base_url} answered {label} with HTTP {status}"
        )

    async def _read_parsed[T](self, call: Call, parse: Callable[[object, str], T]) -> T:
        """Read and parse; an answer the same as the last one is not parsed again.

        Polled phones mostly answer the same bytes as last time: decoding and
        parsing each answer once is most of a quiet read's own work. The
        parsers are pure and their results immutable, so the last one stands.
        """
        answer = await self._answer(call)
        last = self._parsed.get(call.function)
        if last is not None and last[0] == answer.text:
            return last[1]  # type: ignore[return-value]
        envelope = parse_envelope(answer.text, call.name, secrets=self._secrets)
        body = read_body(envelope, call.function, session=self._session)
        value = parse(body, call.function)
        self._parsed[call.function] = (answer.text, value)
        return value

    async def _command(self, call: Call) -> None:
        answer = await self._answer(call)
        envelope = parse_envelope(answer.text, call.name, secrets=self._secrets)
        check_command(envelope, call.name, secrets=self._secrets)

    # ------------------------------------------------------------------
    # Reads

    async def get_line_status(self) -> list[Line]:
        """Read every line appearance."""
        await self._authenticator()
        lines = await self._read_parsed(
            Call(FUNCTION_LINE_STATUS, {PARAM_LINE: "-1"} if self._session else {}),
            lambda body, function: tuple(parse_line_status(body, function)),
        )
        return list(lines)

    async def get_phone_status(self) -> PhoneState:
        """Read the phone-wide status."""
        return await self._read_parsed(Call(FUNCTION_PHONE_STATUS), parse_phone_status)

    async def get_accounts(self) -> list[Account]:
        """Read every account the model has."""
        accounts = await self._read_parsed(
            Call(FUNCTION_ACCOUNTS, session_method=METHOD_GET),
            lambda body, function: tuple(parse_accounts(body, function)),
        )
        return list(accounts)

    @property
    def _session(self) -> bool:
        return self._api is not None and self._api.kind is ApiKind.SESSION

    async def get_model_info(self) -> ModelInfo:
        """Read model facts that need no password; fields may be None.

        Any HTTP answer (404, errors, garbage) gives a ModelInfo, using the
        Server header as the model fallback. Raises
        GrandstreamCTIConnectionError (or a subclass) only when the phone
        cannot be reached.
        """
        answer = await self._transport.send(
            Request("GET", MODEL_DEFINE_PATH),
            lane=Lane.READ,
            label="model.define.js",
            retry=True,
        )
        text = answer.text if answer.status == 200 else None
        return parse_model_define(text, answer.server)

    # ------------------------------------------------------------------
    # Session-only reads and writes

    async def _session_auth(self) -> SessionAuth:
        auth = await self._authenticator()
        if not isinstance(auth, SessionAuth):
            raise GrandstreamCTIUnsupportedError(
                f"The phone at {self.base_url} offers no web session API; "
                "this needs one"
            )
        return auth

    async def read_config(self, keys: Iterable[str]) -> dict[str, ConfigValue]:
        """Read configuration keys (P-values without P, named or :runtime keys).

        One request; each key comes back with its value and, where the
        phone names it, its alias (a key the phone lacks: no alias, no
        value). Needs a session.
        """
        wanted = [config_key(key) for key in keys]
        # Stopped: raise even when no request would go (":dnd" on api.values).
        (await self._session_auth()).check_stopped()
        if not self._config_values_api:
            call = Call(
                FUNCTION_CONFIG_GET,
                {PARAM_PVALUES: ",".join(wanted)},
                session_method=METHOD_GET,
            )
            answer = await self._send(call)
            assert answer is not None
            # 404: api.values.* instead (a check of the MAC on the way may
            # have found that out already).
            if answer.status == 404 and self._config_values_api is not False:
                self._config_values_api = True
            else:
                self._check_status(answer, call.name)
                self._config_values_api = False
                self._last_texts[call.function] = answer.text[:MAX_KEPT_ANSWER]
                return parse_config_entries(answer.text, wanted, secrets=self._secrets)
        # api.values.* separates keys with colons: it cannot name ":dnd".
        named = [key for key in wanted if not key.startswith(":")]
        values = {key: ConfigValue("") for key in wanted}
        if named:
            call = Call(
                FUNCTION_VALUES_GET,
                {PARAM_REQUEST: ":".join(_values_key(key) for key in named)},
            )
            answer = await self._answer(call)
            values |= parse_values_get(answer.text, named, secrets=self._secrets)
        return values

    async def get_config(self, keys: Iterable[str]) -> dict[str, str]:
        """Read configuration values ("" for a key the phone lacks)."""
        return {key: item.value for key, item in (await self.read_config(keys)).items()}

    async def set_config(
        self,
        values: Mapping[str, str],
        *,
        current: Mapping[str, str | ConfigValue] | None = None,
    ) -> None:
        """Write configuration values, then read them back.

        Only Action URL slots, DND, Click-To-Dial and the handset settings
        may be written (never passwords or provisioning). Values already in
        place are not written again (each write is a flash write); current:
        what the caller just read, so it is not read again. Raises ValueError
        for another key, GrandstreamCTIWriteRejectedError naming the keys
        that did not take the new value (phones answer "success" to writes
        they ignore).
        """
        wanted = {config_key(key): value for key, value in values.items()}
        refused = sorted(
            key
            for key in wanted
            if key not in WRITABLE_KEYS or key in FORBIDDEN_PVALUES
        )
        if refused:
            raise ValueError(f"Refusing to write {', '.join(refused)}")
        if not wanted:
            return
        # What the caller just read saves reading it again.
        if current is None or not wanted.keys() <= current.keys():
            current = await self.get_config(wanted)
        changes = {
            key: value for key, value in wanted.items() if _value(current[key]) != value
        }
        if not changes:
            return
        if self._config_values_api:
            call = Call(
                FUNCTION_VALUES_POST,
                {_values_key(key): value for key, value in changes.items()},
                read=False,
            )
        else:
            call = Call(
                FUNCTION_CONFIG_UPDATE,
                read=False,
                json={CONFIG_ALIAS: {}, CONFIG_PVALUE: changes},
            )
        answer = await self._answer(call)
        check_config_write(answer.text, secrets=self._secrets)
        after = await self.get_config(changes)
        ignored = tuple(key for key, value in changes.items() if after[key] != value)
        if ignored:
            raise GrandstreamCTIWriteRejectedError(
                "The phone answered success but did not change "
                f"{', '.join(ignored)} (the account may not change it, or the "
                "value is too long)",
                keys=ignored,
            )

    async def get_dnd(self) -> bool | None:
        """Return do-not-disturb, or None when the phone has no `:dnd` key."""
        value = (await self.get_config([RUNTIME_DND]))[RUNTIME_DND].strip()
        return None if value == "" else value == "1"

    async def set_dnd(self, on: bool) -> None:
        """Turn do-not-disturb on or off (read back)."""
        await self.set_config({RUNTIME_DND: "1" if on else "0"})

    async def set_setting(self, setting: Setting, value: float | str) -> None:
        """Write one handset setting (read back).

        value: a number within the setting's range and step, or one of its
        choices (its wire value or its name). Raises ValueError otherwise.
        """
        text = setting_wire(setting, value)
        if text is None:
            raise ValueError(f"Invalid value {str(value)[:20]!r} for {setting.name}")
        await self.set_config({setting.value: text})

    async def read_facts(self) -> PhoneFacts:
        """Log in and read who the phone is: model, MAC, accounts, API."""
        session = await self.login()
        accounts = await self.get_accounts()
        model = await self.get_model_info()
        return PhoneFacts(model, session, accounts, await self.detect())

    async def probe_capabilities(self, model: ModelInfo) -> Capabilities:
        """Find what the phone offers beyond calls (session phones only).

        One configuration read for DND, unread voicemail and the handset
        settings; battery and Wi-Fi on Wi-Fi handsets. What fails is absent.
        """
        if not self._session:
            return Capabilities()
        accounts = model.num_accounts or MAX_ACCOUNTS
        wanted = [
            RUNTIME_DND,
            *(unread_voicemail_key(n) for n in range(1, accounts + 1)),
            *Setting,
        ]
        found = await _optional(self.read_config(wanted)) or {}
        caps = Capabilities(tuple(key for key, item in found.items() if item.exists))
        name = (model.model or "").upper()
        if not name or name.startswith("WP"):
            caps.battery = await _optional(self.get_battery()) is not None
            caps.wifi = await _optional(self.get_wifi_status()) is not None
        return caps

    async def read_snapshot(
        self, lines: Iterable[Line], capabilities: Capabilities
    ) -> PhoneSnapshot:
        """Read the rest of the phone around lines just read, concurrently.

        Status and accounts always; configuration, battery and Wi-Fi where
        the phone offers them (their failures leave them empty).
        """
        caps = capabilities
        keys = caps.config_keys
        results = await asyncio.gather(
            self.get_phone_status(),
            self.get_accounts(),
            _optional(self.get_config(keys) if keys else None),
            _optional(self.get_battery() if caps.battery else None),
            _optional(self.get_wifi_status() if caps.wifi else None),
            return_exceptions=True,
        )
        # All finished before we look: no read is left running unobserved.
        errors = [result for result in results if isinstance(result, BaseException)]
        for kind in (
            GrandstreamCTIAuthenticationError,
            GrandstreamCTIAccessDeniedError,
            BaseException,
        ):
            if error := next((e for e in errors if isinstance(e, kind)), None):
                raise error
        phone, accounts, config, battery, wifi = results
        assert isinstance(phone, PhoneState)
        assert isinstance(accounts, list)
        return PhoneSnapshot(
            tuple(accounts),
            tuple(lines),
            phone,
            config if isinstance(config, dict) else {},
            battery if isinstance(battery, Battery) else None,
            wifi if isinstance(wifi, WifiStatus) else None,
        )

    async def write_action_urls(
        self, urls: Mapping[str, str], ours: Callable[[str], bool]
    ) -> SlotPlan:
        """Write Action URLs into the keys the phone has that are free or ours.

        urls: per field (P8310...); ours: whether a value is one of the
        caller's URLs. Another system's keys are left alone; written values
        are read back.
        """
        wanted = {config_key(field): url for field, url in urls.items()}
        current = await self.read_config(wanted)
        plan = plan_action_url_slots(current, wanted, ours)
        await self.set_config(plan.write, current=current)
        return plan

    async def clear_action_urls(self, ours: Callable[[str], bool]) -> None:
        """Empty the Action URL keys that hold the caller's URLs."""
        current = await self.get_config(map(config_key, ACTION_URL_FIELDS.values()))
        await self.set_config(
            {key: "" for key, value in current.items() if value and ours(value)},
            current=current,
        )

    async def get_click_to_dial(self) -> bool | None:
        """Return whether Click-To-Dial (P1561, needed by make-call) is on."""
        value = (await self.get_config([PVALUE_CLICK_TO_DIAL]))[PVALUE_CLICK_TO_DIAL]
        return None if value.strip() == "" else value.strip() == "1"

    async def enable_click_to_dial(self) -> None:
        """Turn Click-To-Dial on (needs an account that may change settings)."""
        await self.set_config({PVALUE_CLICK_TO_DIAL: "1"})

    async def get_battery(self) -> Battery:
        """Read a Wi-Fi handset's battery (admin only on WP8x6)."""
        await self._session_auth()
        answer = await self._answer(Call(FUNCTION_BATTERY, session_method=METHOD_GET))
        return parse_battery(answer.text, secrets=self._secrets)

    async def get_wifi_status(self) -> WifiStatus:
        """Read a Wi-Fi handset's connection."""
        await self._session_auth()
        answer = await self._answer(
            Call(FUNCTION_WIFI_STATUS, session_method=METHOD_GET)
        )
        return parse_wifi(answer.text, secrets=self._secrets)

    # ------------------------------------------------------------------
    # Commands (never retried)

    async def phone_operation(self, operation: PhoneOperation) -> None:
        """Send one phone operation; raise GrandstreamCTICommandError if refused."""
        cmd = PhoneOperation(operation)
        await self._command(
            Call(
                FUNCTION_PHONE_OPERATION,
                {PARAM_CMD: cmd.value},
                read=False,
                label=cmd.value,
            )
        )

    async def accept_call(self) -> None:
        """Answer the ringing call."""
        await self.phone_operation(PhoneOperation.ACCEPT_CALL)

    async def reject_call(self) -> None:
        """Reject the ringing call."""
        await self.phone_operation(PhoneOperation.REJECT_CALL)

    async def end_call(self) -> None:
        """Hang up the established call."""
        await self.phone_operation(PhoneOperation.END_CALL)

    async def hold_call(self) -> None:
        """Hold the established call, or resume a held one (the phone toggles)."""
        await self.phone_operation(PhoneOperation.HOLD_CALL)

    async def cancel_call(self) -> None:
        """Reject or cancel (abort an outgoing call while it rings)."""
        await self.phone_operation(PhoneOperation.CANCEL)

    async def make_call(self, number: str, account: int | None = None) -> None:
        """Dial number; account is 1-based here (0-based on the wire).

        Surrounding whitespace is stripped. Raises ValueError for an empty
        number, one with characters a phone cannot dial, or an account that
        is not a whole number from 1.
        """
        dial = validate_number(number)
        params = {PARAM_PHONENUMBER: dial}
        if account is not None:
            if isinstance(account, bool) or not isinstance(account, int):
                raise ValueError(f"Invalid account {account!r}")
            if account < 1:
                raise ValueError(f"Accounts are numbered from 1, got {account}")
            params[PARAM_ACCOUNT] = str(account - 1)
        await self._command(
            Call(FUNCTION_MAKE_CALL, params, read=False, label="make_call")
        )

    async def send_keys(self, keys: str | Iterable[str]) -> None:
        """Press keys in order (names validated by keys.normalize_keys).

        Raises ValueError for an unknown key or more than MAX_KEYS keys.
        """
        names = normalize_keys(keys, limit=MAX_KEYS)
        await self._command(
            Call(
                FUNCTION_SEND_KEY,
                {PARAM_KEYS: KEY_SEPARATOR.join(names)},
                read=False,
                label="send_key",
            )
        )

    async def reboot(self) -> None:
        """Reboot the phone (never a factory reset).

        The phone may drop the connection once it has answered; that counts
        as success only when it had already answered HTTP 200.
        """
        call = Call(
            FUNCTION_SYS_OPERATION,
            {PARAM_REQUEST: SYS_REBOOT},
            read=False,
            session_method=METHOD_POST,
            label="reboot",
        )
        answer = await self._send(call, expect_drop=True)
        if answer is None:
            return
        self._check_status(answer, call.name)
        envelope = parse_envelope(answer.text, call.name, secrets=self._secrets)
        check_command(envelope, call.name, secrets=self._secrets)


async def _optional[T](read: Coroutine[Any, Any, T] | None) -> T | None:
    """Return a read's result, or None when the phone lacks it."""
    try:
        return None if read is None else await read
    except (
        GrandstreamCTIPermissionError,
        GrandstreamCTIResponseError,
        GrandstreamCTIUnsupportedError,
    ):
        return None


def _value(item: str | ConfigValue) -> str:
    return item.value if isinstance(item, ConfigValue) else item


def _values_key(key: str) -> str:
    """Return a key as api.values.* wants it: P-values with their P."""
    return f"P{key}" if key.isdigit() else key
