"""Config flow: add a phone by address and passcode, or from DHCP discovery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_SSL,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import voluptuous as vol

from . import create_client
from .const import (
    CONF_PUSH,
    DEFAULT_PUSH,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
)
from .cti import (
    Account,
    GrandstreamCTIAccessDeniedError,
    GrandstreamCTIAuthenticationError,
    GrandstreamCTIConnectionError,
    GrandstreamCTIError,
    ModelInfo,
)
from .identity import is_mac, normalize_host
from .push import action_urls_markdown, webhook_base_url

PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
PORT_VALIDATOR = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))

# A MAC as format_mac writes it; unique ids are either this or a host.


def _connection_schema(defaults: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """Return the fields that say how to reach the phone."""
    port = defaults.get(CONF_PORT)
    return {
        vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): str,
        vol.Optional(
            CONF_PORT, description={"suggested_value": port} if port else None
        ): PORT_VALIDATOR,
        vol.Required(CONF_SSL, default=defaults.get(CONF_SSL, False)): bool,
        vol.Required(
            CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, False)
        ): bool,
    }


class PhoneFacts:
    """What a successful connection test learned about the phone."""

    def __init__(self, model_info: ModelInfo, accounts: list[Account]) -> None:
        """Keep the facts."""
        self.model_info = model_info
        self.accounts = accounts

    @property
    def mac(self) -> str | None:
        """Return the phone's MAC when the phone tells a valid one."""
        mac = format_mac(self.model_info.mac) if self.model_info.mac else None
        return mac if is_mac(mac) else None

    def title(self, host: str) -> str:
        """Return a title that tells phones apart: model and first account."""
        model = self.model_info.model or "Grandstream phone"
        named = next((acc for acc in self.accounts if acc.configured), None)
        label = (named.name or named.sip_id) if named else normalize_host(host)
        return f"{model} {label}"


class GrandstreamConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Grandstream phone."""

    VERSION = 1

    def __init__(self) -> None:
        """Initialize the flow."""
        # Title and data of the entry to create once the Action URLs were shown.
        self._pending: tuple[str, dict[str, Any]] | None = None
        self._discovered_host: str | None = None
        self._discovered_mac: str | None = None

    async def _async_test(
        self, data: Mapping[str, Any]
    ) -> tuple[PhoneFacts | None, dict[str, str]]:
        """Read the phone with these settings; return facts or form errors.

        One request with the passcode per call: a wrong passcode is never
        retried (the phone locks web logins after 5 failures).
        """
        try:
            client = create_client(self.hass, data)
        except ValueError:
            # Not a host name or address (a URL, spaces, host:port...).
            return None, {CONF_HOST: "invalid_host"}
        try:
            accounts = await client.get_accounts()
            model_info = await client.get_model_info()
        except GrandstreamCTIAuthenticationError:
            return None, {"base": "invalid_auth"}
        except GrandstreamCTIAccessDeniedError:
            return None, {"base": "cti_disabled"}
        except GrandstreamCTIConnectionError:
            return None, {"base": "cannot_connect"}
        except GrandstreamCTIError:
            LOGGER.exception("Unexpected answer from the phone")
            return None, {"base": "unknown"}
        return PhoneFacts(model_info, accounts), {}

    @callback
    def _async_abort_if_host_configured(self, host: str) -> None:
        """Abort if an entry already talks to this host (before any request)."""
        wanted = normalize_host(host)
        for entry in self._async_current_entries(include_ignore=False):
            if normalize_host(entry.data.get(CONF_HOST, "")) == wanted:
                raise AbortFlow("already_configured")

    @callback
    def _async_abort_if_phone_known(
        self, updates: Mapping[str, Any], *, drop_port: bool = False
    ) -> None:
        """Abort if the flow's unique id has an entry; point that entry at updates.

        The entry keeps its other data (the webhook id among them); drop_port
        removes a stored port when the working settings had none. A phone the
        user ignored may still be added by hand.

        The entry is reloaded here rather than by _abort_if_unique_id_configured,
        which cannot remove a port and, from Home Assistant 2026.10, reports
        entries that have an update listener (ours reloads for option changes
        only, never for data).
        """
        assert self.unique_id is not None
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, self.unique_id
        )
        if entry is None:
            return
        if entry.source == SOURCE_IGNORE:
            if self.source == SOURCE_USER:
                return
            raise AbortFlow("already_configured")
        new_data = {**entry.data, **updates}
        if drop_port:
            new_data.pop(CONF_PORT, None)
        changed = self.hass.config_entries.async_update_entry(entry, data=new_data)
        # A phone in setup retry just answered: try it now.
        if entry.state is ConfigEntryState.SETUP_RETRY or (
            changed and entry.state is ConfigEntryState.LOADED
        ):
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        raise AbortFlow("already_configured")

    @callback
    def _async_update_reload_and_abort(
        self, entry: ConfigEntry, reason: str, **changes: Any
    ) -> ConfigFlowResult:
        """Update the entry, reload it and end the flow with reason.

        async_update_reload_and_abort does the same but, from Home Assistant
        2026.10, reports entries with an update listener; ours reloads for
        option changes only, so a data change is ours to reload.
        """
        self.hass.config_entries.async_update_entry(entry, **changes)
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_abort(reason=reason)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address and passcode."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**user_input, CONF_HOST: user_input[CONF_HOST].strip()}
            self._async_abort_if_host_configured(data[CONF_HOST])
            facts, errors = await self._async_test(data)
            if facts is not None:
                return await self._async_create(data, facts)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        **_connection_schema(user_input or {}),
                        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
                    }
                ),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD},
            ),
            errors=errors,
        )

    async def _async_create(
        self, data: dict[str, Any], facts: PhoneFacts
    ) -> ConfigFlowResult:
        """Create the entry, keyed by MAC when known, else by host.

        The phone's own MAC wins over the one DHCP saw, so a phone gets the
        same unique id however it was added.
        """
        host = data[CONF_HOST]
        unique_id = facts.mac or self._discovered_mac or normalize_host(host)
        await self.async_set_unique_id(unique_id, raise_on_progress=False)
        self._async_abort_if_phone_known(data, drop_port=CONF_PORT not in data)
        self._pending = (
            facts.title(host),
            {**data, CONF_WEBHOOK_ID: webhook.async_generate_id()},
        )
        return await self.async_step_action_urls()

    async def async_step_action_urls(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what to paste into the phone's Action URL fields, then add it."""
        assert self._pending is not None
        title, data = self._pending
        if user_input is not None:
            return self.async_create_entry(title=title, data=data)
        base = webhook_base_url(self.hass, data[CONF_WEBHOOK_ID], data[CONF_HOST])
        return self.async_show_form(
            step_id="action_urls",
            description_placeholders={"urls": action_urls_markdown(base)},
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a Grandstream MAC seen on the network."""
        mac = format_mac(discovery_info.macaddress)
        host = discovery_info.ip
        await self.async_set_unique_id(mac)
        # A known phone that moved: follow it to its new address.
        self._async_abort_if_phone_known({CONF_HOST: host})
        self._async_abort_if_host_configured(host)
        self._discovered_host = host
        self._discovered_mac = mac
        self.context["title_placeholders"] = {"host": host}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the discovered phone's passcode."""
        assert self._discovered_host is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**user_input, CONF_HOST: self._discovered_host}
            facts, errors = await self._async_test(data)
            if facts is not None:
                return await self._async_create(data, facts)
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
                        vol.Optional(CONF_PORT): PORT_VALIDATOR,
                        vol.Required(CONF_SSL, default=False): bool,
                        vol.Required(CONF_VERIFY_SSL, default=False): bool,
                    }
                ),
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD},
            ),
            description_placeholders={"host": self._discovered_host},
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication when the passcode stopped working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new passcode; one try per submit, never a loop."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            facts, errors = await self._async_test(data)
            if facts is not None:
                if not self._is_same_phone(entry, facts):
                    # Another phone took the address: its passcode must not
                    # turn this entry into that phone.
                    return self.async_abort(reason="wrong_device")
                return self._async_update_reload_and_abort(
                    entry, "reauth_successful", data=data
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}),
            description_placeholders={"name": entry.title},
            errors=errors,
        )

    @staticmethod
    def _is_same_phone(entry: ConfigEntry, facts: PhoneFacts) -> bool:
        """Return False only when both MACs are known and differ."""
        if not is_mac(entry.unique_id) or facts.mac is None:
            return True
        return facts.mac == entry.unique_id

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how to reach the phone; refuse a different phone."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                **entry.data,
                **user_input,
                CONF_HOST: user_input[CONF_HOST].strip(),
                # Left empty: keep the saved password.
                CONF_PASSWORD: user_input.get(CONF_PASSWORD)
                or entry.data[CONF_PASSWORD],
            }
            if CONF_PORT not in user_input:
                data.pop(CONF_PORT, None)
            facts, errors = await self._async_test(data)
            if facts is not None:
                return self._async_finish_reconfigure(entry, data, facts)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(
                {
                    **_connection_schema(user_input or entry.data),
                    # Optional: a rejected password can be fixed here too.
                    vol.Optional(CONF_PASSWORD): PASSWORD_SELECTOR,
                }
            ),
            errors=errors,
        )

    def _async_finish_reconfigure(
        self, entry: ConfigEntry, data: dict[str, Any], facts: PhoneFacts
    ) -> ConfigFlowResult:
        """Update the entry if the phone at the new address is the same one.

        An entry keyed by MAC keeps it (the phone proves who it is when it
        tells its MAC). An entry keyed by host takes the phone's MAC when it
        tells one, else the new host; either must not belong to another
        entry, and neither may the host.
        """
        if is_mac(entry.unique_id):
            if not self._is_same_phone(entry, facts):
                return self.async_abort(reason="wrong_device")
            unique_id = entry.unique_id
        else:
            host = normalize_host(data[CONF_HOST])
            unique_id = facts.mac or host
            for other in self._async_current_entries(include_ignore=False):
                if other.entry_id == entry.entry_id:
                    continue
                if other.unique_id == unique_id or (
                    facts.mac is None
                    and normalize_host(other.data.get(CONF_HOST, "")) == host
                ):
                    return self.async_abort(reason="already_configured")
        return self._async_update_reload_and_abort(
            entry, "reconfigure_successful", unique_id=unique_id, data=data
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> GrandstreamOptionsFlow:
        """Return the options flow."""
        return GrandstreamOptionsFlow()


class GrandstreamOptionsFlow(OptionsFlow):
    """Change the polling interval."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        options = self.config_entry.options
        if user_input is not None:
            # Keep options this form does not show.
            return self.async_create_entry(
                data={
                    **options,
                    CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL]),
                    CONF_PUSH: bool(user_input[CONF_PUSH]),
                }
            )
        current = options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
        webhook_id = self.config_entry.data.get(CONF_WEBHOOK_ID)
        base = (
            webhook_base_url(self.hass, webhook_id, self.config_entry.data[CONF_HOST])
            if webhook_id
            else None
        )
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_SCAN_INTERVAL, default=current): NumberSelector(
                        NumberSelectorConfig(
                            min=MIN_SCAN_INTERVAL,
                            max=MAX_SCAN_INTERVAL,
                            step=1,
                            unit_of_measurement="s",
                            mode=NumberSelectorMode.BOX,
                        )
                    ),
                    vol.Required(
                        CONF_PUSH, default=options.get(CONF_PUSH, DEFAULT_PUSH)
                    ): bool,
                }
            ),
            description_placeholders={"urls": action_urls_markdown(base)},
        )
