"""What the integration remembers across an entry's reloads (not restarts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import hashlib
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import DEFAULT_USERNAME, DOMAIN


def credentials_fingerprint(data: Mapping[str, Any]) -> str:
    """Return a digest of an entry's username and password (never stored)."""
    text = f"{data.get(CONF_USERNAME, DEFAULT_USERNAME)}\0{data.get(CONF_PASSWORD, '')}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(slots=True)
class _Rejection:
    fingerprint: str
    # The integration reloads the entry to put it in setup-error; that
    # reload sends nothing with the password.
    own_reload: bool


@dataclass(slots=True)
class DomainData:
    """Per Home Assistant run: rejected passwords, webhooks, pending reloads."""

    _rejections: dict[str, _Rejection] = field(default_factory=dict)
    # Webhook id → entry id of the webhooks this integration registered.
    webhooks: dict[str, str] = field(default_factory=dict)
    # Entries a push asked to set up again (one reload, however many pushes).
    reloads_pending: set[str] = field(default_factory=set)
    # (entry id, address) pairs already warned about pushing from elsewhere.
    foreign_push_warned: set[tuple[str, str]] = field(default_factory=set)

    def reject(
        self, entry_id: str, data: Mapping[str, Any], *, own_reload: bool
    ) -> None:
        """Remember that the phone rejected these credentials."""
        self._rejections[entry_id] = _Rejection(
            credentials_fingerprint(data), own_reload
        )

    def is_rejected(self, entry_id: str, data: Mapping[str, Any]) -> bool:
        """Return True if these very credentials were rejected."""
        rejection = self._rejections.get(entry_id)
        return (
            rejection is not None
            and rejection.fingerprint == credentials_fingerprint(data)
        )

    def setup_must_not_try(self, entry_id: str, data: Mapping[str, Any]) -> bool:
        """Return True for the integration's own reload after a rejection.

        That reload only puts the entry in setup-error: it sends nothing.
        A reload the user starts (or a restart) may try the password once.
        """
        rejection = self._rejections.get(entry_id)
        if rejection is None or not self.is_rejected(entry_id, data):
            self._rejections.pop(entry_id, None)
            return False
        own, rejection.own_reload = rejection.own_reload, False
        return own

    def clear(self, entry_id: str) -> None:
        """Forget a rejection (a flow proved the credentials work)."""
        self._rejections.pop(entry_id, None)


DATA_KEY: HassKey[DomainData] = HassKey(DOMAIN)


def domain_data(hass: HomeAssistant) -> DomainData:
    """Return the integration's data, created on first use."""
    data = hass.data.get(DATA_KEY)
    if data is None:
        data = hass.data[DATA_KEY] = DomainData()
    return data
