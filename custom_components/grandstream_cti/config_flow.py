"""Config flow: add a phone by address and passcode, or from DHCP discovery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
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
)
from homeassistant.core import callback
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

PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
PORT_VALIDATOR = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))


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


def normalize_host(host: str) -> str:
    """Return the host as used in unique ids: lower case, no brackets or spaces."""
    return host.strip().strip("[]").lower()


class PhoneFacts:
    """What a successful connection test learned about the phone."""

    def __init__(self, model_info: ModelInfo, accounts: list[Account]) -> None:
        """Keep the facts."""
        self.model_info = model_info
        self.accounts = accounts

    @property
    def mac(self) -> str | None:
        """Return the phone's MAC when the phone tells it."""
        return format_mac(self.model_info.mac) if self.model_info.mac else None

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
        self._discovered_host: str | None = None
        self._discovered_mac: str | None = None

    async def _async_test(
        self, data: Mapping[str, Any]
    ) -> tuple[PhoneFacts | None, dict[str, str]]:
        """Read the phone with these settings; return facts or form errors."""
        client = create_client(self.hass, data)
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

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address and passcode."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._async_abort_entries_match({CONF_HOST: user_input[CONF_HOST].strip()})
            facts, errors = await self._async_test(user_input)
            if facts is not None:
                return await self._async_create(user_input, facts)
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
        self, user_input: Mapping[str, Any], facts: PhoneFacts
    ) -> ConfigFlowResult:
        """Create the entry, keyed by MAC when known, else by host."""
        host = user_input[CONF_HOST].strip()
        unique_id = self._discovered_mac or facts.mac or normalize_host(host)
        await self.async_set_unique_id(unique_id, raise_on_progress=False)
        self._abort_if_unique_id_configured(updates={CONF_HOST: host})
        data = {**user_input, CONF_HOST: host}
        return self.async_create_entry(title=facts.title(host), data=data)

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a Grandstream MAC seen on the network."""
        mac = format_mac(discovery_info.macaddress)
        await self.async_set_unique_id(mac)
        # A known phone that moved: follow it to its new address.
        self._abort_if_unique_id_configured(updates={CONF_HOST: discovery_info.ip})
        self._async_abort_entries_match({CONF_HOST: discovery_info.ip})
        self._discovered_host = discovery_info.ip
        self._discovered_mac = mac
        self.context["title_placeholders"] = {"host": discovery_info.ip}
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
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
                    vol.Optional(CONF_PORT): PORT_VALIDATOR,
                    vol.Required(CONF_SSL, default=False): bool,
                    vol.Required(CONF_VERIFY_SSL, default=False): bool,
                }
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
            facts, errors = await self._async_test({**entry.data, **user_input})
            if facts is not None:
                return self.async_update_reload_and_abort(
                    entry, data_updates=user_input
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD_SELECTOR}),
            description_placeholders={"name": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how to reach the phone; refuse a different phone."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            data = {**entry.data, **user_input, CONF_HOST: host}
            if CONF_PORT not in user_input:
                data.pop(CONF_PORT, None)
            facts, errors = await self._async_test(data)
            if facts is not None:
                return self._async_finish_reconfigure(entry, data, facts)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema(_connection_schema(user_input or entry.data)),
            errors=errors,
        )

    def _async_finish_reconfigure(
        self, entry: ConfigEntry, data: dict[str, Any], facts: PhoneFacts
    ) -> ConfigFlowResult:
        """Update the entry if the phone at the new address is the same one."""
        keyed_by_mac = entry.unique_id is not None and ":" in entry.unique_id
        if keyed_by_mac:
            if facts.mac is not None and facts.mac != entry.unique_id:
                return self.async_abort(reason="wrong_device")
            unique_id = entry.unique_id
        else:
            unique_id = facts.mac or normalize_host(data[CONF_HOST])
            for other in self._async_current_entries(include_ignore=False):
                if other.entry_id != entry.entry_id and other.unique_id == unique_id:
                    return self.async_abort(reason="already_configured")
        return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=data)

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
        if user_input is not None:
            return self.async_create_entry(
                data={CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL])}
            )
        current = self.config_entry.options.get(
            CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL
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
                    )
                }
            ),
        )
