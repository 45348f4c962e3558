"""Firmware profiles: how each phone family speaks the web session API.

From session-spec §6 (per family) and §2.6 (where the sid travels). Where
the spec is unsure, the choice made here is noted beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

from custom_components.grandstream_cti.cti.wire import (
    COOKIE_SID,
    FUNCTION_CONFIG_GET,
    FUNCTION_CONFIG_UPDATE,
    FUNCTION_VALUES_GET,
    FUNCTION_VALUES_POST,
)

from .wire import COOKIE_SESSION_IDENTITY

LoginStyle = Literal["challenge", "plain"]
ModelDefineStyle = Literal["nested", "short", "none"]


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
    # api-get_phone_status without a session: 200 "unauthorized", not 401.
    phone_status_unauthorized: bool = False
    # A POST without Content-Length: 411.
    require_content_length: bool = False
    # POST config_update: 501 (PUT only).
    put_only_config_update: bool = False
    # Wi-Fi handset: battery, Wi-Fi status, the WP8x6 Action URL slots.
    handset: bool = False
    # api.values.get?request=phone_model answers without a session.
    unauthenticated_phone_model: bool = False
    # Line count when the firmware lists fewer lines than the model preset.
    lines: int | None = None

    def for_firmware(self, firmware: str) -> Profile:
        """Return the profile adjusted to a firmware version (WP826 1.0.1.87)."""
        if self.name == "wp826" and firmware.startswith("1.0.1."):
            # 1.0.1.87: three lines, a short model.define, parallel sessions.
            return replace(self, lines=3, model_define="short", single_session=False)
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
            model_define="nested",
            phone_status_unauthorized=True,
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
            model_define="nested",
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
            model_define="nested",
            require_content_length=True,
            handset=True,
        ),
        Profile(
            name="gsc3516",
            model="GSC3516",
            firmware="1.0.5.12",  # made up: no capture names one
            login="challenge",
            passcode_cti=True,
            ssl=False,
            sid_cookies=_ANY_COOKIE,
            sid_param_required=frozenset(),
            sets_cookies=True,
            config_api=True,
            values_api=True,
            role_hashed=False,
            single_session=False,
            login_identity=True,
            model_define="nested",
        ),
    )
}

DEFAULT_PROFILE: Final = "grp2614"
