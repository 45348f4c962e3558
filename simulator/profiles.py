"""Firmware profiles: how each phone family speaks the web session API.

Sources, cited beside the facts they carry:

- **WP826 captures**: the fixtures of `eklundjon/ha-grandstream-phone`
  (`tests/fixtures/*.json`, firmware 1.0.3.35, and `tests/fixtures/
  wp826_1.0.1.87/`), captured from real handsets, and that integration's
  notes on what it verified on them (session-spec S1).
- **grandstream-home-api**: Grandstream's own Python library for its GDS /
  GSC356x devices (PyPI, Apache-2.0, read at 0.1.7: `gds.py`, `const.py`,
  `error.py`, `utils.py`).
- **session-spec §6** (per family) and §2.6 (where the sid travels); the
  CTI guides and admin guides for the documented Action URL fields.

Where the evidence is silent, the choice made here is noted beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

from custom_components.grandstream_cti.cti.action_url import ActionUrlEvent as E
from custom_components.grandstream_cti.cti.wire import (
    COOKIE_SID,
    FUNCTION_CONFIG_GET,
    FUNCTION_CONFIG_UPDATE,
    FUNCTION_VALUES_GET,
    FUNCTION_VALUES_POST,
)

from .wire import COOKIE_SESSION_IDENTITY

LoginStyle = Literal["challenge", "plain"]
# full: model, oem_id, vendor names, defines (WP826 1.0.3.35 capture);
# short: model, defines, pvalue_json_checksum (WP826 1.0.1.87); none: 404.
ModelDefineStyle = Literal["full", "short", "none"]
# How a CTI function (`api-*`) without a valid session answers, besides the
# passcode API's 401: never otherwise (HTML 401), phone status only with 200
# `{"response":"success","body":"unauthorized"}` (GRP), or every `api-*` so.
UnauthorizedStyle = Literal["none", "phone_status", "api"]
LockTimeUnit = Literal["minutes", "seconds"]

# The documented Action URL fields (admin and CTI guides): P8304-P8329.
DOCUMENTED_EVENTS: Final = frozenset(
    {
        E.SETUP_COMPLETED,
        E.REGISTERED,
        E.UNREGISTERED,
        E.OFF_HOOK,
        E.ON_HOOK,
        E.INCOMING_CALL,
        E.OUTGOING_CALL,
        E.MISSED_CALL,
        E.ESTABLISHED_CALL,
        E.TERMINATED_CALL,
        E.REJECTED_CALL,
        E.DND_ON,
        E.DND_OFF,
        E.HOLD,
        E.UNHOLD,
        E.IDLE_TO_BUSY,
        E.BUSY_TO_IDLE,
    }
)
# WP826 (both firmwares): exactly the fields the handset reports, P8310-P8317,
# P8328, P8329, P22171, P22568, P22570 (WP826 captures: config_get of
# 1.0.1.87, and the slots that integration verified on 1.0.3.35). No
# setup-completed, registration, hook or hold fields.
WP826_EVENTS: Final = frozenset(
    {
        E.INCOMING_CALL,
        E.OUTGOING_CALL,
        E.MISSED_CALL,
        E.ESTABLISHED_CALL,
        E.TERMINATED_CALL,
        E.REJECTED_CALL,
        E.DND_ON,
        E.DND_OFF,
        E.IDLE_TO_BUSY,
        E.BUSY_TO_IDLE,
        E.ANSWERED,
        E.BATTERY_LOW,
        E.BATTERY_OK,
    }
)


@dataclass(frozen=True, slots=True)
class Profile:
    """One firmware family's behaviour (immutable; `SimulatorConfig` picks one)."""

    name: str
    model: str
    firmware: str
    # "challenge": /access nonce then sha256(password + nonce); "plain": password.
    login: LoginStyle
    # The passcode CTI API (`api-*?passcode=`) works (WP8x6: 401).
    passcode_cti: bool
    ssl: bool
    # Cookies that carry the sid; a `sid` form or query field always works.
    sid_cookies: frozenset[str]
    # Functions for which a cookie is not enough: the sid must be in the
    # query string or the form.
    sid_param_required: frozenset[str]
    # Login sets `session-identity` / `session-role` cookies.
    sets_cookies: bool
    # config_get + PUT config_update; api.values.get / api.values.post.
    config_api: bool
    values_api: bool
    # `role` in the login answer: sha256_hex(role_name + sid), else the name.
    role_hashed: bool
    # A new login on an account ends that account's previous session.
    single_session: bool
    # The login answer carries `ver` and `mac` (GXP16xx plain login: no).
    login_identity: bool
    model_define: ModelDefineStyle
    # The Action URL fields (slots) the firmware has.
    action_url_events: frozenset[E] = DOCUMENTED_EVENTS
    # Feature flags in model.define's `defines`, after `num_accounts`.
    model_defines: tuple[str, ...] = ("support_dnd",)
    unauthorized: UnauthorizedStyle = "none"
    # A POST without Content-Length: 411.
    require_content_length: bool = False
    # POST config_update: 501 (PUT only).
    put_only_config_update: bool = False
    # Wi-Fi handset: battery, Wi-Fi status, handset settings (ring volume,
    # backlight...) and the WP8x6 Action URL slots.
    handset: bool = False
    # Handset answers: battery `health`, Wi-Fi `certNeed` (1.0.3.35 only).
    battery_health: bool = True
    wifi_cert_need: bool = True
    # api.values.get?request=phone_model answers without a session.
    unauthenticated_phone_model: bool = False
    # Line count when the firmware lists fewer lines than the model preset.
    lines: int | None = None
    # The unit of the lock answer's `lockTime`.
    lock_time_unit: LockTimeUnit = "minutes"
    # The /access nonce is bound to the username hash it was asked with (a
    # choice: no source says either way), or good for any login (GDS/GSC:
    # grandstream-home-api asks with a random hash, not the username's).
    nonce_per_user: bool = True
    # The device has a "Home Assistant control" switch (GDS/GSC); off, logins
    # and session requests answer "user is not allow" (also in `message`).
    ha_control_switch: bool = False

    def for_firmware(self, firmware: str) -> Profile:
        """Return the profile adjusted to a firmware version (WP826 1.0.1.87)."""
        if self.name == "wp826" and firmware.startswith("1.0.1."):
            # WP826 1.0.1.87 captures: three lines, the short model.define,
            # parallel sessions, no battery `health`, no Wi-Fi `certNeed`.
            return replace(
                self,
                lines=3,
                model_define="short",
                single_session=False,
                battery_health=False,
                wifi_cert_need=False,
            )
        return self


_ANY_COOKIE: Final = frozenset({COOKIE_SID, COOKIE_SESSION_IDENTITY})

PROFILES: Final[dict[str, Profile]] = {
    profile.name: profile
    for profile in (
        Profile(
            name="grp2614",
            model="GRP2614",
            firmware="1.0.13.22",
            login="challenge",
            passcode_cti=True,
            ssl=False,
            sid_cookies=_ANY_COOKIE,
            sid_param_required=frozenset(),
            # The browser extension relies on cookies; names unknown, so the
            # GXP names are used, and a `sid` cookie is accepted too.
            sets_cookies=True,
            config_api=True,
            values_api=False,
            role_hashed=False,
            single_session=True,
            login_identity=True,
            # No capture: the WP826 1.0.3.35 shape, the desk phone's flags.
            model_define="full",
            # GRP browser extension (session-spec S2): phone status answers
            # "unauthorized" when the session is gone.
            unauthorized="phone_status",
        ),
        Profile(
            name="gxp2170",
            model="GXP2170",
            firmware="1.0.11.106",
            login="challenge",
            passcode_cti=True,
            ssl=False,
            sid_cookies=frozenset({COOKIE_SESSION_IDENTITY}),
            sid_param_required=frozenset({FUNCTION_CONFIG_GET, FUNCTION_CONFIG_UPDATE}),
            sets_cookies=True,
            config_api=True,
            values_api=False,
            role_hashed=False,
            single_session=False,
            login_identity=True,
            model_define="full",
            put_only_config_update=True,
        ),
        Profile(
            name="gxp1625",
            model="GXP1625",
            firmware="1.0.7.70",
            login="plain",
            passcode_cti=True,
            ssl=False,
            sid_cookies=frozenset({COOKIE_SESSION_IDENTITY}),
            sid_param_required=frozenset({FUNCTION_VALUES_GET, FUNCTION_VALUES_POST}),
            sets_cookies=True,
            config_api=False,
            values_api=True,
            role_hashed=False,
            single_session=False,
            login_identity=False,
            model_define="none",
            unauthenticated_phone_model=True,
        ),
        Profile(
            name="wp826",
            model="WP826",
            firmware="1.0.3.35",
            login="challenge",
            passcode_cti=False,
            ssl=True,
            sid_cookies=frozenset({COOKIE_SID}),
            sid_param_required=frozenset(),
            sets_cookies=False,
            config_api=True,
            values_api=False,
            role_hashed=True,
            single_session=True,
            login_identity=True,
            model_define="full",
            action_url_events=WP826_EVENTS,
            # model_define.json of both captures.
            model_defines=("support_lcd_backlight", "support_dnd", "support_bluetooth"),
            require_content_length=True,
            handset=True,
        ),
        Profile(
            name="gsc3516",
            model="GSC3516",
            firmware="1.0.5.12",  # made up: no capture names one
            login="challenge",
            passcode_cti=True,
            # HTTP: the GSC3516 integration (session-spec S4) defaults to it;
            # grandstream-home-api's "GDS always uses HTTPS" is about the
            # GDS / GSC356x door devices (`--tls` serves HTTPS).
            ssl=False,
            # grandstream-home-api sends `sid` and `session-identity` cookies;
            # S4 sends the sid in the query, the form and a cookie.
            sid_cookies=_ANY_COOKIE,
            sid_param_required=frozenset(),
            sets_cookies=True,
            config_api=True,
            values_api=True,
            role_hashed=False,
            single_session=False,
            # grandstream-home-api reads `sid`, `mac` and `ver` from the login
            # answer and warns when one is missing.
            login_identity=True,
            model_define="full",
            # grandstream-home-api: a session gone shows as 200
            # {"response":"success","body":"unauthorized"} on its api-* calls
            # (or session-expired JSON, kept for config_get / api.values).
            unauthorized="api",
            # grandstream-home-api: `lockTime` is seconds (default 300, "lock
            # the account for 5 minutes"); the access value is a random hash.
            lock_time_unit="seconds",
            nonce_per_user=False,
            ha_control_switch=True,
        ),
    )
}

DEFAULT_PROFILE: Final = "grp2614"
