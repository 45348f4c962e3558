"""Config flow: add a phone by address and password, or from DHCP discovery.

Every submit tries the password once (the phone locks web logins after 5
failures) and logs out again. A phone is keyed by its MAC: its own word
(the session login), DHCP's, or the neighbour table's; without any, there
is no unique id and an entry for the same host refuses a duplicate. Only
the phone's own word moves a known entry to a new address from the user
flow, and no flow ever rewrites another entry's password.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    ConfigEntry,
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
    CONF_PUSH,
    DEFAULT_AUTO_PUSH,
    DEFAULT_PUSH,
    DEFAULT_USERNAME,
    DOMAIN,
    LOGGER,
)
from .cti import (
    Account,
    ApiKind,
    GrandstreamCTIClient,
    GrandstreamCTIError,
    ModelInfo,
    SessionInfo,
)
from .domain_data import domain_data
from .errors import explain
from .identity import (
    MacSource,
    adopt_mac,
    async_mac_from_network,
    mac_source,
    normalize_host,
    normalize_mac,
    release_hint,
)
from .push import action_urls_markdown, webhook_base_url

PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
PORT_VALIDATOR = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))
# Explanations that are form errors of their own; the rest read "unknown".
_FORM_ERRORS = frozenset(
    {
        "invalid_auth",
        "invalid_auth_attempts",
        "locked",
        "locked_unknown",
        "user_not_allowed",
        "cti_disabled",
        "cannot_connect",
        "timeout",
        "certificate_error",
        "permission_denied",
    }
)


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


def _hinted(entry: ConfigEntry) -> bool:
    """Return True when an entry's unique id is only a hint (or unknown)."""
    source = mac_source(entry.data.get(CONF_MAC_SOURCE))
    return source is None or source.is_hint


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    """What a successful connection test learned about the phone."""

    model_info: ModelInfo
    session: SessionInfo | None
    accounts: list[Account]
    api: ApiKind

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
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Initialize the flow."""
        # Title and data of the entry to create once the Action URLs were shown.
        self._pending: tuple[str, dict[str, Any]] | None = None
        self._discovered_host: str | None = None
        self._discovered_mac: str | None = None

    # ------------------------------------------------------------------
    # Helpers

    async def _async_test(
        self, data: Mapping[str, Any]
    ) -> tuple[PhoneFacts | None, dict[str, str], dict[str, str]]:
        """Read the phone with these settings: facts, or form errors and placeholders.

        One request with the password per call (the login, or the first
        read on a passcode phone); the session is ended before returning.
        """
        try:
            client = create_client(self.hass, data)
        except ValueError:
            # Not a host name or address (a URL, spaces, host:port...).
            return None, {CONF_HOST: "invalid_host"}, {}
        try:
            return await self._async_read_facts(client), {}, {}
        except GrandstreamCTIError as err:
            explanation = explain(err)
            if explanation.key not in _FORM_ERRORS:
                LOGGER.warning("Unexpected answer from the phone: %s", err)
                return None, {"base": "unknown"}, {}
            return None, {"base": explanation.key}, explanation.placeholders
        finally:
            await client.logout()

    @staticmethod
    async def _async_read_facts(client: GrandstreamCTIClient) -> PhoneFacts:
        session = await client.login()
        accounts = await client.get_accounts()
        model_info = await client.get_model_info()
        assert client.api is not None
        return PhoneFacts(model_info, session, accounts, client.api.kind)

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

    def _show(
        self,
        step_id: str,
        schema: vol.Schema,
        user_input: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> ConfigFlowResult:
        """Show a form with what the user typed (never the password) filled in."""
        suggested = {
            key: value
            for key, value in (user_input or {}).items()
            if key != CONF_PASSWORD
        }
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    # ------------------------------------------------------------------
    # Adding a phone

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address, account and password."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            # Host and port: two phones may share an address behind NAT.
            self._async_abort_entries_match(
                {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
            )
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
        if mac is not None and source is not None:
            await self.async_set_unique_id(mac, raise_on_progress=False)
            self._async_handle_known_mac(data, source)
            data[CONF_MAC_SOURCE] = source.stored
        data[CONF_WEBHOOK_ID] = webhook.async_generate_id()
        title = facts.title(data[CONF_HOST])
        if facts.api is ApiKind.SESSION:
            # The entry writes its Action URLs into the phone itself.
            return self.async_create_entry(title=title, data=data)
        self._pending = (title, data)
        return await self.async_step_action_urls()

    @callback
    def _async_handle_known_mac(self, data: dict[str, Any], source: MacSource) -> None:
        """Deal with an entry that already has this flow's MAC as unique id.

        An entry keyed only by a push's hint loses the key to a phone that
        proves it (or the network); a phone that proves it moves its known
        entry here (not the password); anything else just aborts.
        """
        assert self.unique_id is not None
        entry = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, self.unique_id
        )
        if entry is None or entry.source == SOURCE_IGNORE:
            # Home Assistant replaces an ignored entry with the one created.
            return
        if _hinted(entry):
            release_hint(self.hass, entry, f"the phone at {data[CONF_HOST]}")
            return
        if source is MacSource.PHONE:
            self._abort_if_unique_id_configured(
                updates={
                    key: data.get(key)
                    for key in (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)
                }
            )
        self._abort_if_unique_id_configured()

    async def async_step_action_urls(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what to paste into a passcode phone's Action URL fields, then add it."""
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
        mac = normalize_mac(discovery_info.macaddress)
        if mac is None:
            return self.async_abort(reason="not_supported")
        host = normalize_host(discovery_info.ip)
        await self.async_set_unique_id(mac)
        known = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, mac)
        if known is not None and not _hinted(known):
            # A known phone that moved: follow it to its new address.
            self._abort_if_unique_id_configured(updates={CONF_HOST: host})
        if known is None or known.source != SOURCE_IGNORE:
            # Before the abort for a MAC only a push gave: DHCP outranks it.
            for entry in self._async_current_entries(include_ignore=False):
                if entry.data.get(CONF_HOST) == host:
                    # An entry for this address learns its MAC from DHCP.
                    if _hinted(entry) or entry.unique_id is None:
                        adopt_mac(self.hass, entry, mac, MacSource.DHCP)
                    return self.async_abort(reason="already_configured")
        self._abort_if_unique_id_configured()
        self._discovered_host = host
        self._discovered_mac = mac
        self.context["title_placeholders"] = {"host": host}
        return await self.async_step_discovery_confirm()

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

    # ------------------------------------------------------------------
    # Fixing a phone

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
            facts, errors, found = await self._async_test(data)
            placeholders.update(found)
            if facts is not None:
                updates = await self._async_same_phone(entry, facts, data)
                return self.async_update_reload_and_abort(entry, **updates)
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
            if (data[CONF_HOST], data[CONF_PORT]) != (
                entry.data[CONF_HOST],
                entry.data.get(CONF_PORT),
            ):
                self._async_abort_entries_match(
                    {CONF_HOST: data[CONF_HOST], CONF_PORT: data[CONF_PORT]}
                )
            facts, errors, placeholders = await self._async_test(data)
            if facts is not None:
                updates = await self._async_same_phone(entry, facts, data)
                return self.async_update_reload_and_abort(entry, **updates)
        defaults = user_input or entry.data
        schema = vol.Schema(
            {
                **_connection_schema(defaults),
                # Optional: a rejected password can be fixed here too.
                **_credentials_schema(defaults, password_required=False),
            }
        )
        return self._show("reconfigure", schema, user_input, errors, placeholders)

    async def _async_same_phone(
        self, entry: ConfigEntry, facts: PhoneFacts, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Abort if the phone is another one; return the entry's updates.

        An entry keyed by a MAC the phone or network gave must meet the same
        MAC; an unkeyed (or only hinted) entry takes the phone's own MAC,
        unless another entry has it on more than a push's word.
        """
        updates: dict[str, Any] = {}
        if facts.mac is not None:
            await self.async_set_unique_id(facts.mac, raise_on_progress=False)
            if entry.unique_id is not None and not _hinted(entry):
                self._abort_if_unique_id_mismatch(reason="wrong_device")
            else:
                other = self.hass.config_entries.async_entry_for_domain_unique_id(
                    DOMAIN, facts.mac
                )
                if other is not None and other.entry_id != entry.entry_id:
                    if other.source == SOURCE_IGNORE or not _hinted(other):
                        self._abort_if_unique_id_configured()
                    # Only a push's word for it: the phone proves it is this one.
                    release_hint(self.hass, other, entry.title)
                updates["unique_id"] = facts.mac
                data[CONF_MAC_SOURCE] = MacSource.PHONE.stored
        domain_data(self.hass).clear(entry.entry_id)
        updates["data"] = data
        return updates

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> GrandstreamOptionsFlow:
        """Return the options flow."""
        return GrandstreamOptionsFlow()


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return data with the host normalized and a username."""
    cleaned = {**data, CONF_HOST: normalize_host(str(data[CONF_HOST]))}
    cleaned[CONF_USERNAME] = (
        str(data.get(CONF_USERNAME) or "").strip() or DEFAULT_USERNAME
    )
    # Always present (None: the scheme's default), so duplicates match on it.
    cleaned[CONF_PORT] = cleaned.get(CONF_PORT)
    return cleaned


class GrandstreamOptionsFlow(OptionsFlowWithReload):
    """Push: listen for the phone's Action URLs; write them into the phone."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options (the entry reloads when they change)."""
        options = self.config_entry.options
        if user_input is not None:
            return self.async_create_entry(
                data={
                    **options,
                    CONF_PUSH: bool(user_input[CONF_PUSH]),
                    CONF_AUTO_PUSH: bool(user_input[CONF_AUTO_PUSH]),
                }
            )
        entry = self.config_entry
        base = webhook_base_url(
            self.hass, entry.data[CONF_WEBHOOK_ID], entry.data[CONF_HOST]
        )
        return self.async_show_form(
            step_id="init",
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
            description_placeholders={"urls": action_urls_markdown(base)},
        )
