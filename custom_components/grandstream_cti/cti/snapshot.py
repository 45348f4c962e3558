"""A whole reading of one phone, and what the phone offers beyond calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .address import normalize_mac
from .models import (
    Account,
    Battery,
    Line,
    ModelInfo,
    PhoneApi,
    PhoneState,
    PhoneStatus,
    SessionInfo,
    WifiStatus,
)
from .settings import unread_voicemail_key
from .wire import RUNTIME_DND


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    """Who a phone is, as one login tells (`read_facts`)."""

    model_info: ModelInfo
    session: SessionInfo | None
    accounts: list[Account]
    api: PhoneApi

    @property
    def mac(self) -> str | None:
        """Return the MAC the phone itself tells, if it tells one."""
        told = self.session.mac if self.session else None
        return normalize_mac(told) or normalize_mac(self.model_info.mac)

    def title(self, host: str) -> str:
        """Return a name that tells phones apart: model and first account."""
        model = self.model_info.model or "Grandstream phone"
        named = next((acc for acc in self.accounts if acc.configured), None)
        return f"{model} {(named.name or named.sip_id) if named else host}"


@dataclass(slots=True)
class Capabilities:
    """What a phone offers beyond calls (found once, by `probe_capabilities`)."""

    # Configuration keys the phone answers: DND, voicemail, settings.
    config_keys: tuple[str, ...] = ()
    battery: bool = False
    wifi: bool = False

    @property
    def dnd(self) -> bool:
        """Return True when the phone has do-not-disturb."""
        return RUNTIME_DND in self.config_keys

    def voicemail(self, account: int) -> bool:
        """Return True when the phone counts this account's unread voicemail."""
        return unread_voicemail_key(account) in self.config_keys


@dataclass(frozen=True, slots=True)
class PhoneSnapshot:
    """Everything one full read tells (`read_snapshot`); quiet reads renew the lines."""

    accounts: tuple[Account, ...]
    lines: tuple[Line, ...]
    phone: PhoneState
    # Session phones: the configuration keys read (DND, voicemail, settings).
    config: Mapping[str, str] = field(default_factory=dict)
    battery: Battery | None = None
    wifi: WifiStatus | None = None

    @property
    def ringing(self) -> bool:
        """Return True when a call rings on any line."""
        return any(line.is_ringing for line in self.lines)

    @property
    def in_call(self) -> bool:
        """Return True when any line carries an established call."""
        return any(line.in_call for line in self.lines)

    @property
    def status(self) -> PhoneStatus:
        """Return the phone's status, with calls as the lines show them now."""
        if self.ringing:
            return PhoneStatus.RINGING
        if not all(line.is_idle for line in self.lines):
            return PhoneStatus.BUSY
        status = self.phone.status
        # Phones answer no "dnd" status (captures): DND is its own key.
        if self.dnd and status is not PhoneStatus.NOT_REGISTERED:
            return PhoneStatus.DND
        # The lines may be newer than the status: a call that ended shows there.
        if status in (PhoneStatus.RINGING, PhoneStatus.BUSY):
            return PhoneStatus.AVAILABLE
        return status

    @property
    def dnd(self) -> bool | None:
        """Return do-not-disturb, where the phone tells it."""
        value = self.config.get(RUNTIME_DND, "").strip()
        return None if value == "" else value == "1"

    def line(self, number: int) -> Line | None:
        """Return the line with this 1-based number, if the phone has it."""
        return next((line for line in self.lines if line.line == number), None)

    def account(self, number: int) -> Account | None:
        """Return the account with this 1-based id, if the phone has it."""
        return next((acc for acc in self.accounts if acc.id == number), None)

    def count(self, key: str) -> int | None:
        """Return a count the phone keeps under a configuration key, if any."""
        value = self.config.get(key, "").strip()
        return int(value) if value.isdigit() else None
