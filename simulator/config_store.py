"""The phone's configuration as config_get / api.values see it (session-spec §4).

Three kinds of keys: P-values (`"334"`, written `P334` in api.values), named
keys (`phone_model`, `AccountRegistered1`) and runtime keys (`:dnd`). Writes
take effect at once. What the phone silently ignores (but answers "success"
to): unknown and read-only keys, keys the role may not change, event URL
values over 256 characters. Clients must read back to notice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from custom_components.grandstream_cti.cti.action_url import (
    ACTION_URL_FIELDS,
    ACTION_URL_MAX_LENGTH,
    ActionUrlEvent,
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
)

if TYPE_CHECKING:
    from .config import SimulatorConfig
    from .phone import Phone, SimAccount
    from .push import ActionUrlPusher

# Slots only Wi-Fi handsets have (WP8x6): answered, battery low / ok.
HANDSET_EVENTS: Final = frozenset(
    {ActionUrlEvent.ANSWERED, ActionUrlEvent.BATTERY_LOW, ActionUrlEvent.BATTERY_OK}
)
EVERYONE: Final = frozenset({ROLE_ADMIN, ROLE_USER})
ADMIN_ONLY: Final = frozenset({ROLE_ADMIN})
NOBODY: Final[frozenset[str]] = frozenset()
# Aliases are the web UI's names; only P334's is from a capture, the rest
# are made up in the same style.
_STORED: Final = {
    # key: (alias, initial value, roles that may write)
    "334": ("lcd.backlight.brightness.active", "60", EVERYONE),
    "2": ("users.admin.password", "", ADMIN_ONLY),
    "196": ("users.user.password", "", ADMIN_ONLY),
    "192": ("upgrade.firmware.path", "", ADMIN_ONLY),
    "212": ("upgrade.firmware.server", "", ADMIN_ONLY),
    "237": ("upgrade.config.server", "", ADMIN_ONLY),
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
        """Return (alias, value); unknown keys read ("", "")."""
        setting = self.settings.get(canonical_key(key))
        if setting is None:
            return "", ""
        return setting.alias, setting.get()

    def value(self, key: str) -> str:
        """Return a key's value ("" if unknown)."""
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

    def dump(self) -> dict[str, str]:
        """Return every key and value but the passwords (for `/sim/state`)."""
        return {
            key: setting.get()
            for key, setting in self.settings.items()
            if key not in {"2", "196"}
        }


def _flag(value: str) -> bool | None:
    return {"0": False, "1": True}.get(value.strip())


def build_store(
    phone: Phone,
    config: SimulatorConfig,
    pusher: ActionUrlPusher,
    *,
    handset: bool,
) -> ConfigStore:
    """Return the store of a phone: its live facts, settings and event URL slots."""
    stored = {key: initial for key, (_, initial, _) in _STORED.items()}
    settings: dict[str, Setting] = {}

    def plain(key: str) -> Setting:
        alias, _, writers = _STORED[key]

        def put(value: str) -> bool:
            # Password and provisioning keys: recorded as tripwires, never applied.
            if key in FORBIDDEN_PVALUES:
                return False
            stored[key] = value
            return True

        return Setting(alias, lambda: stored[key], put, writers)

    for key in _STORED:
        settings[key] = plain(key)

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
    for event, field in ACTION_URL_FIELDS.items():
        if event in HANDSET_EVENTS and not handset:
            continue
        settings[canonical_key(field)] = _slot(event, pusher)
    return ConfigStore(settings)


def _registered(account: SimAccount) -> Setting:
    return Setting("", lambda: "1" if account.registered else "0")


def _slot(event: ActionUrlEvent, pusher: ActionUrlPusher) -> Setting:
    """Return an Action URL slot: its value is the pusher's template."""

    def put(value: str) -> bool:
        if value:
            pusher.templates[event] = value
        else:
            pusher.templates.pop(event, None)
        return True

    return Setting(
        f"action_url.{event.value}",
        lambda: pusher.templates.get(event, ""),
        put,
        EVERYONE,  # the user role may write event URLs (seen on WP826)
        ACTION_URL_MAX_LENGTH,
    )


def public_slots(store: ConfigStore) -> dict[str, Any]:
    """Return every Action URL slot (`P8310` style) and its value."""
    return {
        field: store.value(field)
        for field in ACTION_URL_FIELDS.values()
        if canonical_key(field) in store.settings
    }
