"""The phone's configuration as config_get / api.values see it (session-spec §4).

Three kinds of keys: P-values (`"334"`, written `P334` in api.values), named
keys (`phone_model`, `AccountRegistered1`, `sp_vol`) and runtime keys
(`:dnd`, `:unread_vm_1`). Each phone has only the keys its firmware has
(profiles.py); a key it lacks reads alias `""` and value `""`, like any
unknown key. Writes take effect at once. What the phone silently ignores
(but answers "success" to): unknown and read-only keys, keys the role may not
change, values the setting does not offer, event URL values over 256
characters. Clients must read back to notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from custom_components.grandstream_cti.cti.action_url import (
    ACTION_URL_FIELDS,
    ACTION_URL_MAX_LENGTH,
    ActionUrlEvent as E,
)
from custom_components.grandstream_cti.cti.wire import (
    FORBIDDEN_PVALUES,
    NAMED_PHONE_MODEL,
    PVALUE_CLICK_TO_DIAL,
    PVALUE_FIRMWARE,
    PVALUE_MAC,
    ROLE_ADMIN,
    ROLE_USER,
    RUNTIME_DND,
)

from .wire import (
    NAMED_ACCOUNT_REGISTERED,
    NAMED_NUM_LINES,
    RUNTIME_UNREAD_VOICEMAIL,
)

if TYPE_CHECKING:
    from .config import SimulatorConfig
    from .phone import Phone, SimAccount
    from .profiles import Profile
    from .push import ActionUrlPusher

EVERYONE: Final = frozenset({ROLE_ADMIN, ROLE_USER})
ADMIN_ONLY: Final = frozenset({ROLE_ADMIN})
# Password and provisioning keys, on every phone; aliases made up.
_SECURITY: Final = {
    "2": "users.admin.password",
    "196": "users.user.password",
    "192": "upgrade.firmware.path",
    "212": "upgrade.firmware.server",
    "237": "upgrade.config.server",
}


def _choice(*values: int) -> Callable[[str], bool]:
    allowed = {str(value) for value in values}
    return lambda value: value.strip() in allowed


@dataclass(frozen=True, slots=True)
class HandsetSetting:
    """A handset setting: alias, captured value, and the values it offers."""

    alias: str
    initial: str
    valid: Callable[[str], bool]


# WP826 captures (config_get, 1.0.3.35 and 1.0.1.87) for keys, aliases and
# values; the ranges are the handset UI's (that integration's notes, verified
# on a WP826). The `user` role may change them all (session-spec §5.2).
HANDSET_SETTINGS: Final = {
    # Ring volume, 0-10.
    "8352": HandsetSetting("audio.volume.ring", "8", _choice(*range(11))),
    # LCD brightness, 10-100 % in steps of 10.
    "334": HandsetSetting(
        "lcd.backlight.brightness.active", "60", _choice(*range(10, 101, 10))
    ),
    # Backlight timeout, seconds (0 = never).
    "1413": HandsetSetting(
        "lcd.backlight.timeout",
        "0",
        _choice(0, 15, 30, 60, 120, 300, 600, 1200, 1800),
    ),
    # Keypad backlight: 0 off, 1 on, 2 auto.
    "22234": HandsetSetting("key.backlight.enable", "2", _choice(0, 1, 2)),
    # Speaker volume: a named key with an alias (captured); 0-10 assumed
    # like the ring volume.
    "sp_vol": HandsetSetting("audio.volume.speaker", "8", _choice(*range(11))),
}

# The Action URL fields' aliases as WP826 1.0.1.87 reports them; the fields
# no capture shows (setup completed, registration, hook, hold) are made up
# in the same style.
SLOT_ALIASES: Final = {
    E.SETUP_COMPLETED: "ons.actionUrl.setupCompleted",
    E.REGISTERED: "ons.actionUrl.registered",
    E.UNREGISTERED: "ons.actionUrl.unregistered",
    E.OFF_HOOK: "ons.actionUrl.offHook",
    E.ON_HOOK: "ons.actionUrl.onHook",
    E.INCOMING_CALL: "ons.actionUrl.incomingCall",
    E.OUTGOING_CALL: "ons.actionUrl.outgoingCall",
    E.MISSED_CALL: "ons.actionUrl.missedCall",
    E.ESTABLISHED_CALL: "ons.actionUrl.establishedCall",
    E.TERMINATED_CALL: "ons.actionUrl.terminatedCall",
    E.REJECTED_CALL: "ons.actionUrl.rejectIncomingCall",
    E.DND_ON: "ons.actionUrl.openDnd",
    E.DND_OFF: "ons.actionUrl.closedDnd",
    E.HOLD: "ons.actionUrl.hold",
    E.UNHOLD: "ons.actionUrl.unhold",
    E.IDLE_TO_BUSY: "ons.actionUrl.idleToBusy",
    E.BUSY_TO_IDLE: "ons.actionUrl.busyToIdle",
    E.ANSWERED: "ons.actionUrl.answerNewInCall",
    E.BATTERY_LOW: "ons.actionUrl.batteryLow",
    E.BATTERY_OK: "ons.actionUrl.batterySufficient",
}


def canonical_key(key: str) -> str:
    """Return a key as stored: `P8310` and `8310` are the same P-value."""
    key = key.strip()
    if key[:1] in {"P", "p"} and key[1:].isdigit():
        return key[1:]
    return key


@dataclass(frozen=True, slots=True)
class Setting:
    """One readable key: its alias, how to read it, who may write it and how."""

    alias: str
    get: Callable[[], str]
    # Apply a value; False = the phone ignores it (bad value). None: read-only.
    put: Callable[[str], bool] | None = None
    writers: frozenset[str] = ADMIN_ONLY
    max_length: int | None = None


class ConfigStore:
    """Keys of one phone; live keys read the phone and config directly."""

    def __init__(self, settings: Mapping[str, Setting]) -> None:
        """Serve the given settings (see `build_store`)."""
        self.settings = dict(settings)
        self._aliases = {
            setting.alias: key
            for key, setting in self.settings.items()
            if setting.alias
        }

    def read(self, key: str) -> tuple[str, str]:
        """Return (alias, value); keys the phone lacks read ("", "")."""
        setting = self.settings.get(canonical_key(key))
        if setting is None:
            return "", ""
        return setting.alias, setting.get()

    def value(self, key: str) -> str:
        """Return a key's value ("" if the phone lacks it)."""
        return self.read(key)[1]

    def key_for_alias(self, alias: str) -> str | None:
        """Return the key an alias names (a leading `@` is allowed)."""
        return self._aliases.get(alias.removeprefix("@"))

    def write(self, key: str, value: str, role: str) -> bool:
        """Apply one write if the phone would; return False where it ignores it."""
        setting = self.settings.get(canonical_key(key))
        if setting is None or setting.put is None or role not in setting.writers:
            return False
        if setting.max_length is not None and len(value) > setting.max_length:
            return False
        return setting.put(value)

    def write_many(self, values: Iterable[tuple[str, str]], role: str) -> list[str]:
        """Apply several writes; return the keys actually changed."""
        return [key for key, value in values if self.write(key, value, role)]

    def set_at_phone(self, key: str, value: str) -> str:
        """Change a setting on the phone itself (its menu); return the key.

        No role and no length limit apply, but only a value the setting
        offers is taken. ValueError for a key the phone lacks, a read-only
        key or a value it does not offer.
        """
        name = canonical_key(key)
        if name not in self.settings:
            name = self.key_for_alias(key) or name
        setting = self.settings.get(name)
        if setting is None:
            raise ValueError(f"The phone has no setting {key!r}")
        if setting.put is None:
            raise ValueError(f"{key} is read-only")
        if not setting.put(value):
            raise ValueError(f"{key} does not take {value!r}")
        return name

    def dump(self) -> dict[str, str]:
        """Return every key and value but the passwords (for `/sim/state`)."""
        return {
            key: setting.get()
            for key, setting in self.settings.items()
            if key not in {"2", "196"}
        }


def _flag(value: str) -> bool | None:
    return {"0": False, "1": True}.get(value.strip())


class _Values:
    """Plain stored values (settings that only hold what was written)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def setting(
        self,
        key: str,
        alias: str,
        initial: str,
        writers: frozenset[str],
        valid: Callable[[str], bool] | None = None,
    ) -> Setting:
        self.values[key] = initial

        def put(value: str) -> bool:
            # Password and provisioning keys: recorded as tripwires, never applied.
            if key in FORBIDDEN_PVALUES or (valid is not None and not valid(value)):
                return False
            self.values[key] = value.strip() if valid is not None else value
            return True

        return Setting(alias, lambda: self.values[key], put, writers)


def build_store(
    phone: Phone,
    config: SimulatorConfig,
    pusher: ActionUrlPusher,
    profile: Profile,
) -> ConfigStore:
    """Return the store of a phone: its live facts, settings and event URL slots."""
    stored = _Values()
    settings: dict[str, Setting] = {
        key: stored.setting(key, alias, "", ADMIN_ONLY)
        for key, alias in _SECURITY.items()
    }
    if profile.handset:
        for key, handset_setting in HANDSET_SETTINGS.items():
            settings[key] = stored.setting(
                key,
                handset_setting.alias,
                handset_setting.initial,
                EVERYONE,
                handset_setting.valid,
            )

    def put_dnd(value: str) -> bool:
        on = _flag(value)
        if on is None:
            return False
        phone.set_dnd(on)  # fires the DND Action URLs
        return True

    def put_click_to_dial(value: str) -> bool:
        on = _flag(value)
        if on is None:
            return False
        config.click_to_dial = on
        return True

    settings[PVALUE_MAC] = Setting("network.mac", lambda: phone.mac.lower())  # noqa: PLW0108 - the MAC is read when asked
    settings[PVALUE_FIRMWARE] = Setting("system.prog_version", lambda: phone.firmware)
    settings[PVALUE_CLICK_TO_DIAL] = Setting(
        "call.dial.clickToDial.enable",
        lambda: "1" if config.click_to_dial else "0",
        put_click_to_dial,
    )
    settings[NAMED_PHONE_MODEL] = Setting("", lambda: phone.model)
    settings[NAMED_NUM_LINES] = Setting("", lambda: str(len(phone.lines)))
    settings[RUNTIME_DND] = Setting(
        "", lambda: "1" if phone.dnd else "0", put_dnd, EVERYONE
    )
    for account in phone.accounts:
        settings[f"{NAMED_ACCOUNT_REGISTERED}{account.id}"] = _registered(account)
        settings[f"{RUNTIME_UNREAD_VOICEMAIL}{account.id}"] = _unread(account)
    for event, field in ACTION_URL_FIELDS.items():
        if event in profile.action_url_events:
            settings[canonical_key(field)] = _slot(event, pusher)
    return ConfigStore(settings)


def _registered(account: SimAccount) -> Setting:
    return Setting("", lambda: "1" if account.registered else "0")


def _unread(account: SimAccount) -> Setting:
    return Setting("", lambda: str(account.unread_voicemail))


def _slot(event: E, pusher: ActionUrlPusher) -> Setting:
    """Return an Action URL slot: its value is the pusher's template."""

    def put(value: str) -> bool:
        if value:
            pusher.templates[event] = value
        else:
            pusher.templates.pop(event, None)
        return True

    return Setting(
        SLOT_ALIASES[event],
        lambda: pusher.templates.get(event, ""),
        put,
        EVERYONE,  # the user role may write event URLs (seen on WP826)
        ACTION_URL_MAX_LENGTH,
    )


def public_slots(store: ConfigStore) -> dict[str, Any]:
    """Return every Action URL slot the phone has (`P8310` style) and its value."""
    return {
        field: store.value(field)
        for field in ACTION_URL_FIELDS.values()
        if canonical_key(field) in store.settings
    }
