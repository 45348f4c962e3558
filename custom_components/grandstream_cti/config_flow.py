"""Config flow: add a phone by address and password, or from DHCP discovery.

Every submit tries the password once (phones lock web logins after 5
failures) and logs out again. A phone is keyed by its MAC: its own word (the
login or P67), DHCP's, or the neighbour table's; without any, an entry for
the same address (however it is written) refuses a duplicate. Re-adding a
known phone at a new address moves its entry only when the phone itself
proves it is that phone, and no flow ever changes another entry's password.
Reauthentication keeps the API the phone proved; only reconfigure may change
it, and a password about to go in clear to a new address or in a new form
waits for the network to show the phone's MAC there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import voluptuous as vol

from . import create_client
from .compat import OptionsFlowWithReload
from .const import (
    CONF_AUTO_PUSH,
    CONF_MAC_SOURCE,
    CONF_MOVED,
    CONF_PUSH,
    CONF_REJECTED,
    DEFAULT_AUTO_PUSH,
    DEFAULT_PUSH,
    DOMAIN,
    LOGGER,
)
from .cti import (
    DEFAULT_USERNAME,
    Account,
    ApiKind,
    GrandstreamCTIClient,
    GrandstreamCTIError,
    LoginVariant,
    ModelInfo,
    PhoneApi,
    SessionInfo,
    normalize_mac,
)
from .explain import explain
from .identity import (
    MacSource,
    adopt_mac,
    api_data,
    async_addresses,
    async_mac_from_network,
    entry_mac,
    normalize_host,
    stored_api,
)
from .push import action_urls_markdown, webhook_url

PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
PORT_VALIDATOR = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))
# Explanations that are form errors of their own; the rest read "unknown".
FORM_ERRORS = frozenset(
    {
        "invalid_auth",
        "invalid_auth_attempts",
        "locked",
        "locked_unknown",
        "user_not_allowed",
        "cti_disabled",
        "session_refused",
        "cannot_connect",
        "timeout",
        "certificate_error",
        "permission_denied",
        "address_unproven",
        "session_taken",
    }
)
# Explanations that end a flow about an existing entry.
_ABORTS = frozenset({"wrong_device", "api_changed"})


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


def _credentials_schema(
    defaults: Mapping[str, Any], *, password_required: bool = True
) -> dict[vol.Marker, Any]:
    """Return the username and password fields."""
    password = vol.Required if password_required else vol.Optional
    return {
        vol.Optional(
            CONF_USERNAME, default=defaults.get(CONF_USERNAME) or DEFAULT_USERNAME
        ): str,
        password(CONF_PASSWORD): PASSWORD_SELECTOR,
    }


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return data with the host in one spelling, a username and a port key."""
    cleaned = {**data, CONF_HOST: normalize_host(str(data[CONF_HOST]))}
    cleaned[CONF_USERNAME] = (
        str(data.get(CONF_USERNAME) or "").strip() or DEFAULT_USERNAME
    )
    # Always present (None: the scheme's default), so duplicates match on it.
    cleaned[CONF_PORT] = cleaned.get(CONF_PORT)
    cleaned.pop(CONF_REJECTED, None)
    return cleaned


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    """What a successful connection test learned about the phone."""

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
        """Return a title that tells phones apart: model and first account."""
        model = self.model_info.model or "Grandstream phone"
        named = next((acc for acc in self.accounts if acc.configured), None)
        label = (named.name or named.sip_id) if named else host
        return f"{model} {label}"


class GrandstreamConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a Grandstream phone."""

    VERSION = 1
    MINOR_VERSION = 3

    def __init__(self) -> None:
        """Initialize the flow."""
        # Title and data of the entry to create once the Action URLs were shown.
        self._pending: tuple[str, dict[str, Any]] | None = None
        self._discovered_host: str | None = None
        self._discovered_mac: str | None = None

    async def _async_test(
        self, data: Mapping[str, Any], entry: ConfigEntry | None = None
    ) -> tuple[PhoneFacts | None, dict[str, str], dict[str, str]]:
        """Read the phone with these settings: facts, or form errors and placeholders.

        One request with the password per call (the login, or the first
        read on a passcode phone); the session is ended before returning.
        For an existing entry the phone must tell the entry's MAC, keeps its
        API on reauthentication, and proves its address first where the
        password would go in clear.
        """
        mac = entry_mac(entry) if entry is not None else None
        try:
            client = create_client(
                self.hass, {**data, **_detect(entry, self.source)}, mac
            )
        except ValueError:
            # Not a host name or address (a URL, spaces, host:port...).
            return None, {CONF_HOST: "invalid_host"}, {}
        try:
            if entry is not None:
                await self._async_check_address(client, entry, data)
            return await _async_read_facts(client), {}, {}
        except GrandstreamCTIError as err:
            explanation = explain(err)
            if explanation.key in _ABORTS:
                raise AbortFlow(explanation.key) from err
            if explanation.key not in FORM_ERRORS:
                LOGGER.warning("Unexpected answer from the phone: %s", err)
                return None, {"base": "unknown"}, {}
            return None, {"base": explanation.key}, explanation.placeholders
        finally:
            await client.logout()

    async def _async_check_address(
        self, client: GrandstreamCTIClient, entry: ConfigEntry, data: Mapping[str, Any]
    ) -> None:
        """Abort unless the network shows the entry's phone where the password goes in clear."""
        mac = entry_mac(entry)
        api = await client.detect()
        moved = (
            bool(entry.data.get(CONF_MOVED)) or data[CONF_HOST] != entry.data[CONF_HOST]
        )
        changed = api != (stored_api(entry.data) or api)
        if mac is None or api.login is LoginVariant.CHALLENGE or not (moved or changed):
            return
        seen = await async_mac_from_network(self.hass, data[CONF_HOST])
        if seen != mac:
            raise AbortFlow("wrong_device" if seen else "address_unproven")

    async def _async_identify(
        self, host: str, facts: PhoneFacts
    ) -> tuple[str | None, MacSource | None]:
        """Return the phone's MAC and where it came from (phone, DHCP, network)."""
        if facts.mac is not None:
            return facts.mac, MacSource.PHONE
        if self._discovered_mac is not None:
            return self._discovered_mac, MacSource.DHCP
        seen = await async_mac_from_network(self.hass, host)
        return (seen, MacSource.ARP) if seen is not None else (None, None)

    async def _async_abort_same_address(
        self, data: Mapping[str, Any], entry: ConfigEntry | None = None
    ) -> None:
        """Abort when another entry has this address and port, however written."""
        addresses = await async_addresses(self.hass, data[CONF_HOST])
        for other in self._async_current_entries(include_ignore=False):
            if (
                other is not entry
                and other.data.get(CONF_PORT) == data[CONF_PORT]
                and addresses & await async_addresses(self.hass, other.data[CONF_HOST])
            ):
                raise AbortFlow("already_configured")

    def _show(
        self,
        step_id: str,
        schema: vol.Schema,
        user_input: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> ConfigFlowResult:
        """Show a form with what the user typed (never the password) filled in."""
        suggested = {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address, account and password."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            # Host and port: two phones may share an address behind NAT.
            await self._async_abort_same_address(data)
            facts, errors, placeholders = await self._async_test(data)
            if facts is not None:
                return await self._async_create(data, facts)
        schema = vol.Schema(
            {
                **_connection_schema(user_input or {}),
                **_credentials_schema(user_input or {}),
            }
        )
        return self._show("user", schema, user_input, errors, placeholders)

    async def _async_create(
        self, data: dict[str, Any], facts: PhoneFacts
    ) -> ConfigFlowResult:
        """Key the new entry by the phone's MAC when known, then create it."""
        mac, source = await self._async_identify(data[CONF_HOST], facts)
        data.update(api_data(facts.api))
        if mac is not None and source is not None:
            await self.async_set_unique_id(mac, raise_on_progress=False)
            known = self.hass.config_entries.async_entry_for_domain_unique_id(
                DOMAIN, mac
            )
            if (
                source is MacSource.PHONE
                and known is not None
                and known.source != SOURCE_IGNORE
                and stored_api(known.data) in (None, facts.api)
            ):
                # The phone proved it is a known one: move that entry here
                # (never its password).
                keys = (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)
                self._abort_if_unique_id_configured(
                    updates={**{k: data.get(k) for k in keys}, CONF_MOVED: None},
                    error="address_updated",
                )
            self._abort_if_unique_id_configured()
            data[CONF_MAC_SOURCE] = source.stored
        data[CONF_WEBHOOK_ID] = webhook.async_generate_id()
        title = facts.title(data[CONF_HOST])
        if facts.api.kind is ApiKind.SESSION:
            # The entry writes its Action URLs into the phone itself.
            return self.async_create_entry(title=title, data=data)
        self._pending = (title, data)
        return await self.async_step_action_urls()

    async def async_step_action_urls(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what to paste into a passcode phone's Action URL fields, then add it."""
        assert self._pending is not None
        title, data = self._pending
        if user_input is not None:
            return self.async_create_entry(title=title, data=data)
        url = webhook_url(self.hass, data[CONF_WEBHOOK_ID], data[CONF_HOST])
        return self.async_show_form(
            step_id="action_urls",
            description_placeholders={"urls": action_urls_markdown(url)},
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a Grandstream MAC seen on the network."""
        mac = normalize_mac(discovery_info.macaddress)
        if mac is None:
            return self.async_abort(reason="not_supported")
        host = normalize_host(discovery_info.ip)
        await self.async_set_unique_id(mac)
        self._async_follow_phone(mac, host)
        self._discovered_host = host
        self._discovered_mac = mac
        self.context["title_placeholders"] = {"host": host}
        return await self.async_step_discovery_confirm()

    @callback
    def _async_follow_phone(self, mac: str, host: str) -> None:
        """Act on DHCP's word that mac is at host; abort if a known phone.

        Its entry follows it there (the device there proves itself before
        any password goes in clear); an entry for that address learns the
        MAC, or, keyed by another MAC, is set up again to find it gone.
        """
        entries = self.hass.config_entries
        known = entries.async_entry_for_domain_unique_id(DOMAIN, mac)
        for entry in self._async_current_entries(include_ignore=False):
            if entry is known or entry.data.get(CONF_HOST) != host:
                continue
            if entry_mac(entry) is None:
                adopt_mac(self.hass, entry, mac, MacSource.DHCP)
                raise AbortFlow("already_configured")
            if _may_set_up_again(entry):
                entries.async_schedule_reload(entry.entry_id)
        if known is None or known.source == SOURCE_IGNORE:
            self._abort_if_unique_id_configured()
            return
        if known.data.get(CONF_HOST) != host:
            entries.async_update_entry(
                known, data={**known.data, CONF_HOST: host, CONF_MOVED: True}
            )
            if _may_set_up_again(known):
                entries.async_schedule_reload(known.entry_id)
        elif known.error_reason_translation_key == "wrong_device":
            # Back at its address: the entry that found another phone recovers.
            entries.async_schedule_reload(known.entry_id)
        raise AbortFlow("already_configured")

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the discovered phone's account and password."""
        assert self._discovered_host is not None
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"host": self._discovered_host}
        if user_input is not None:
            data = _clean({**user_input, CONF_HOST: self._discovered_host})
            facts, errors, found = await self._async_test(data)
            placeholders.update(found)
            if facts is not None:
                return await self._async_create(data, facts)
        schema = vol.Schema(
            {
                **_credentials_schema(user_input or {}),
                vol.Optional(CONF_PORT): PORT_VALIDATOR,
                vol.Required(CONF_SSL, default=False): bool,
                vol.Required(CONF_VERIFY_SSL, default=False): bool,
            }
        )
        return self._show("discovery_confirm", schema, user_input, errors, placeholders)

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication when the password stopped working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account and password; one try per submit, never a loop."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"name": entry.title}
        if user_input is not None:
            data = _clean({**entry.data, **user_input})
            facts, errors, found = await self._async_test(data, entry)
            placeholders.update(found)
            if facts is not None:
                return self.async_update_reload_and_abort(
                    entry, **await self._async_updates(entry, facts, data)
                )
        schema = vol.Schema(_credentials_schema(user_input or entry.data))
        return self._show("reauth_confirm", schema, user_input, errors, placeholders)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how to reach the phone; refuse a different phone."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = _clean(
                {
                    **entry.data,
                    **user_input,
                    # Left empty: keep the saved password.
                    CONF_PASSWORD: user_input.get(CONF_PASSWORD)
                    or entry.data[CONF_PASSWORD],
                    CONF_PORT: user_input.get(CONF_PORT),
                }
            )
            await self._async_abort_same_address(data, entry)
            facts, errors, placeholders = await self._async_test(data, entry)
            if facts is not None:
                return self.async_update_reload_and_abort(
                    entry, **await self._async_updates(entry, facts, data)
                )
        defaults = user_input or entry.data
        schema = vol.Schema(
            {
                **_connection_schema(defaults),
                # Optional: a rejected password can be fixed here too.
                **_credentials_schema(defaults, password_required=False),
            }
        )
        return self._show("reconfigure", schema, user_input, errors, placeholders)

    async def _async_updates(
        self, entry: ConfigEntry, facts: PhoneFacts, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Return the entry's updates: the proven API and address, its MAC if new.

        The test already refused another MAC; an entry without one takes
        the phone's own, unless another entry has it.
        """
        data.update(api_data(facts.api))
        data.pop(CONF_MOVED, None)
        updates: dict[str, Any] = {"data": data}
        if facts.mac is not None and entry_mac(entry) is None:
            await self.async_set_unique_id(facts.mac, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            updates["unique_id"] = facts.mac
            data[CONF_MAC_SOURCE] = MacSource.PHONE.stored
        return updates

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> GrandstreamOptionsFlow:
        """Return the options flow."""
        return GrandstreamOptionsFlow()


def _detect(entry: ConfigEntry | None, source: str | None) -> dict[str, Any]:
    """Return data that makes the client detect the API, except on reauthentication."""
    if entry is not None and source == "reauth":
        return {}
    return {"api": None}


def _may_set_up_again(entry: ConfigEntry) -> bool:
    """Return True when setting an entry up again sends no rejected password."""
    if entry.state is ConfigEntryState.LOADED:
        return not entry.runtime_data.client.password_rejected
    if entry.state is ConfigEntryState.SETUP_ERROR:
        return entry.error_reason_translation_key in ("wrong_device", "api_changed")
    return entry.state is ConfigEntryState.SETUP_RETRY


async def _async_read_facts(client: GrandstreamCTIClient) -> PhoneFacts:
    session = await client.login()
    accounts = await client.get_accounts()
    model_info = await client.get_model_info()
    return PhoneFacts(model_info, session, accounts, await client.detect())


class GrandstreamOptionsFlow(OptionsFlowWithReload):
    """Push: listen for the phone's Action URLs; write them into the phone."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options (the entry reloads when they change).

        The URLs are listed only where they must be pasted by hand.
        """
        entry = self.config_entry
        options = entry.options
        if user_input is not None:
            return self.async_create_entry(data={**options, **user_input})
        api = stored_api(entry.data)
        auto = api is not None and api.kind is ApiKind.SESSION
        auto = auto and options.get(CONF_AUTO_PUSH, DEFAULT_AUTO_PUSH)
        url = webhook_url(self.hass, entry.data[CONF_WEBHOOK_ID], entry.data[CONF_HOST])
        return self.async_show_form(
            step_id="auto" if auto else "init",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_PUSH, default=options.get(CONF_PUSH, DEFAULT_PUSH)
                    ): bool,
                    vol.Required(
                        CONF_AUTO_PUSH,
                        default=options.get(CONF_AUTO_PUSH, DEFAULT_AUTO_PUSH),
                    ): bool,
                }
            ),
            description_placeholders=None
            if auto
            else {"urls": action_urls_markdown(url)},
        )

    # The form without URLs submits to its own step id.
    async_step_auto = async_step_init
