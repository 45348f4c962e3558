"""Config flow: add a phone by address and password, or from DHCP discovery.

Every submit tries the password once and logs out. A phone is keyed by its MAC
(its own word, DHCP's, the neighbour table's); a known phone moves only when it
proves it is that phone. Reauthentication keeps the API the phone proved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_REAUTH,
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

from . import const, create_client, cti, identity
from .push import action_urls_markdown, webhook_url

PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
PORT_VALIDATOR = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))
# Explanations that are form errors of their own; the rest read "unknown".
FORM_ERRORS = frozenset(
    "invalid_auth invalid_auth_attempts locked locked_unknown user_not_allowed "  # noqa: SIM905
    "cti_disabled session_refused cannot_connect timeout certificate_error "
    "permission_denied session_taken".split()
)
# Explanations that end a flow about an existing entry.
_ABORTS = frozenset({"wrong_device", "api_changed"})


def _schema(
    defaults: Mapping[str, Any], *, connection: bool = True, password: bool = True
) -> dict[vol.Marker, Any]:
    """Return the fields: how to reach the phone (if asked), account, password."""
    fields: dict[vol.Marker, Any] = {}
    if connection:
        host = defaults.get(CONF_HOST, vol.UNDEFINED)
        port = defaults.get(CONF_PORT)
        fields[vol.Required(CONF_HOST, default=host)] = str
        suggested = {"suggested_value": port} if port else None
        fields[vol.Optional(CONF_PORT, description=suggested)] = PORT_VALIDATOR
        for key in (CONF_SSL, CONF_VERIFY_SSL):
            fields[vol.Required(key, default=defaults.get(key, False))] = bool
    username = defaults.get(CONF_USERNAME) or cti.DEFAULT_USERNAME
    fields[vol.Optional(CONF_USERNAME, default=username)] = str
    required = vol.Required if password else vol.Optional
    fields[required(CONF_PASSWORD)] = PASSWORD_SELECTOR
    return fields


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return data with the host in one spelling, a username and a port key."""
    username = str(data.get(CONF_USERNAME) or "").strip() or cti.DEFAULT_USERNAME
    cleaned = {
        **data,
        CONF_HOST: cti.normalize_host(str(data[CONF_HOST])),
        CONF_USERNAME: username,
        # Always present (None: the scheme's default), so duplicates match on it.
        CONF_PORT: data.get(CONF_PORT),
    }
    cleaned.pop(const.CONF_REJECTED, None)
    return cleaned


class GrandstreamConfigFlow(ConfigFlow, domain=const.DOMAIN):
    """Add a Grandstream phone."""

    VERSION = 1
    MINOR_VERSION = 3

    def __init__(self) -> None:
        """Initialize the flow."""
        # Title and data of the entry to create once the Action URLs were shown.
        self._pending: tuple[str, dict[str, Any]] | None = None
        self._discovered: tuple[str, str] | None = None

    async def _async_test(
        self, data: Mapping[str, Any], entry: ConfigEntry | None = None
    ) -> tuple[cti.PhoneFacts | None, dict[str, str], dict[str, str]]:
        """Read the phone: facts, or form errors and placeholders (one password try).

        For an existing entry the phone must tell its MAC, keeps its API on
        reauthentication, and proves its address where the password goes in clear.
        """
        mac = identity.entry_mac(entry) if entry is not None else None
        keep_api = entry is not None and self.source == SOURCE_REAUTH
        try:
            client = create_client(
                self.hass, {**data, **({} if keep_api else {"api": None})}, mac
            )
        except ValueError:
            # Not a host name or address (a URL, spaces, host:port...).
            return None, {CONF_HOST: "invalid_host"}, {}
        if not keep_api and self.source != "dhcp":
            await self._async_abort_same_address(data, entry)
        try:
            if entry is not None:
                await self._async_check_address(client, entry, data)
            return await client.read_facts(), {}, {}
        except cti.GrandstreamCTIError as err:
            if err.reason in _ABORTS:
                raise AbortFlow(err.reason) from err
            if err.reason not in FORM_ERRORS:
                const.LOGGER.warning("Unexpected answer from the phone: %s", err)
                return None, {"base": "unknown"}, {}
            return None, {"base": err.reason}, err.details
        finally:
            await client.logout()

    async def _async_check_address(
        self,
        client: cti.GrandstreamCTIClient,
        entry: ConfigEntry,
        data: Mapping[str, Any],
    ) -> None:
        """Abort unless the network shows the phone where the password goes in clear."""
        mac, api = identity.entry_mac(entry), await client.detect()
        moved = (
            entry.data.get(const.CONF_MOVED) or data[CONF_HOST] != entry.data[CONF_HOST]
        )
        changed = api != (cti.PhoneApi.from_data(entry.data) or api)
        if (
            mac is None
            or api.login is cti.LoginVariant.CHALLENGE
            or not (moved or changed)
        ):
            return
        seen = await identity.async_mac_from_network(self.hass, data[CONF_HOST])
        if seen != mac:
            raise AbortFlow("wrong_device" if seen else "address_unproven")

    async def _async_abort_same_address(
        self, data: Mapping[str, Any], entry: ConfigEntry | None
    ) -> None:
        """Abort when another entry has this address and port, however written."""
        addresses = await cti.resolve_host(data[CONF_HOST])
        for other in self._async_current_entries(include_ignore=False):
            if (
                other is not entry
                and other.data.get(CONF_PORT) == data[CONF_PORT]
                and addresses & await cti.resolve_host(other.data[CONF_HOST])
            ):
                raise AbortFlow("already_configured")

    async def _async_submit(
        self,
        step_id: str,
        fields: dict[vol.Marker, Any],
        user_input: Mapping[str, Any] | None,
        data: dict[str, Any] | None,
        *,
        entry: ConfigEntry | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """Try submitted data once (create or update the entry), else show the form."""
        errors: dict[str, str] = {}
        placeholders = placeholders or {}
        if data is not None:
            facts, errors, found = await self._async_test(data, entry)
            placeholders = {**placeholders, **found}
            if facts is not None and entry is None:
                return await self._async_create(data, facts)
            if facts is not None and entry is not None:
                return await self._async_update(entry, facts, data)
        typed = {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(vol.Schema(fields), typed),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the phone's address, account and password."""
        data = None if user_input is None else _clean(user_input)
        fields = _schema(user_input or {})
        return await self._async_submit("user", fields, user_input, data)

    async def _async_create(
        self, data: dict[str, Any], facts: cti.PhoneFacts
    ) -> ConfigFlowResult:
        """Key the new entry by the phone's MAC when known, then create it."""
        mac, source = facts.mac, identity.MacSource.PHONE
        if mac is None and self._discovered is not None:
            mac, source = self._discovered[1], identity.MacSource.DHCP
        elif mac is None:
            mac, source = (
                await identity.async_mac_from_network(self.hass, data[CONF_HOST]),
                identity.MacSource.ARP,
            )
        data.update(facts.api.as_data())
        if mac is not None:
            await self.async_set_unique_id(mac, raise_on_progress=False)
            known = self.hass.config_entries.async_entry_for_domain_unique_id(
                const.DOMAIN, mac
            )
            if (
                source is identity.MacSource.PHONE
                and known is not None
                and known.source != SOURCE_IGNORE
                and cti.PhoneApi.from_data(known.data) in (None, facts.api)
            ):
                # The phone proved it is a known one: move that entry here
                # (never its password).
                keys = (CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL)
                self._abort_if_unique_id_configured(
                    updates={**{k: data[k] for k in keys}, const.CONF_MOVED: None},
                    error="address_updated",
                )
            self._abort_if_unique_id_configured()
            data[const.CONF_MAC_SOURCE] = source.stored
        data[CONF_WEBHOOK_ID] = webhook.async_generate_id()
        title = facts.title(data[CONF_HOST])
        if facts.api.kind is cti.ApiKind.SESSION:
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
        if url is None:
            return self.async_show_form(step_id="action_urls_no_url")
        urls = {"urls": action_urls_markdown(url)}
        return self.async_show_form(
            step_id="action_urls", description_placeholders=urls
        )

    # The form without URLs (no local URL yet) submits to its own step id.
    async_step_action_urls_no_url = async_step_action_urls

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a Grandstream MAC seen on the network."""
        mac = cti.normalize_mac(discovery_info.macaddress)
        if mac is None:
            return self.async_abort(reason="not_supported")
        host = cti.normalize_host(discovery_info.ip)
        await self.async_set_unique_id(mac)
        self._async_follow_phone(mac, host)
        self._discovered = (host, mac)
        self.context["title_placeholders"] = {"host": host}
        return await self.async_step_discovery_confirm()

    @callback
    def _async_follow_phone(self, mac: str, host: str) -> None:
        """Act on DHCP's word that mac is at host; abort if a known phone.

        Its entry follows it there (to prove itself there); an entry for that
        address learns the MAC, or, keyed by another, is set up again.
        """
        entries = self.hass.config_entries
        known = entries.async_entry_for_domain_unique_id(const.DOMAIN, mac)
        for entry in self._async_current_entries(include_ignore=False):
            if entry is known or entry.data.get(CONF_HOST) != host:
                continue
            if identity.entry_mac(entry) is None:
                identity.adopt_mac(self.hass, entry, mac, identity.MacSource.DHCP)
                raise AbortFlow("already_configured")
            if _may_set_up_again(entry):
                entries.async_schedule_reload(entry.entry_id)
        if known is None or known.source == SOURCE_IGNORE:
            self._abort_if_unique_id_configured()
            return
        if known.data.get(CONF_HOST) != host:
            moved = {**known.data, CONF_HOST: host, const.CONF_MOVED: True}
            entries.async_update_entry(known, data=moved)
            if _may_set_up_again(known):
                entries.async_schedule_reload(known.entry_id)
        elif _found_another_phone(known):
            # Back at its address: the entry that found another phone recovers.
            entries.async_schedule_reload(known.entry_id)
        raise AbortFlow("already_configured")

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the discovered phone's account and password."""
        assert self._discovered is not None
        host = self._discovered[0]
        data = None if user_input is None else _clean({**user_input, CONF_HOST: host})
        fields = _schema(user_input or {}, connection=False)
        fields[vol.Optional(CONF_PORT)] = PORT_VALIDATOR
        fields[vol.Required(CONF_SSL, default=False)] = bool
        fields[vol.Required(CONF_VERIFY_SSL, default=False)] = bool
        return await self._async_submit(
            "discovery_confirm", fields, user_input, data, placeholders={"host": host}
        )

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
        data = None if user_input is None else _clean({**entry.data, **user_input})
        fields = _schema(user_input or entry.data, connection=False)
        return await self._async_submit(
            "reauth_confirm",
            fields,
            user_input,
            data,
            entry=entry,
            placeholders={"name": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how to reach the phone; refuse a different phone."""
        entry = self._get_reconfigure_entry()
        data = None
        if user_input is not None:
            # The password left empty keeps the saved one.
            password = user_input.get(CONF_PASSWORD) or entry.data[CONF_PASSWORD]
            port = user_input.get(CONF_PORT)
            data = _clean(
                {**entry.data, **user_input, CONF_PASSWORD: password, CONF_PORT: port}
            )
        # The password optional: a rejected one can be fixed here too.
        fields = _schema(user_input or entry.data, password=False)
        return await self._async_submit(
            "reconfigure", fields, user_input, data, entry=entry
        )

    async def _async_update(
        self, entry: ConfigEntry, facts: cti.PhoneFacts, data: dict[str, Any]
    ) -> ConfigFlowResult:
        """Store the proven API and address, and the phone's MAC if the entry had none."""
        data.update(facts.api.as_data())
        data.pop(const.CONF_MOVED, None)
        updates: dict[str, Any] = {}
        if facts.mac is not None and identity.entry_mac(entry) is None:
            await self.async_set_unique_id(facts.mac, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            updates["unique_id"] = facts.mac
            data[const.CONF_MAC_SOURCE] = identity.MacSource.PHONE.stored
        return self.async_update_reload_and_abort(entry, data=data, **updates)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> GrandstreamOptionsFlow:
        """Return the options flow."""
        return GrandstreamOptionsFlow()


def _found_another_phone(entry: ConfigEntry) -> bool:
    """Return True when the entry stopped because another phone was at its address."""
    if entry.state is ConfigEntryState.LOADED:
        stopped = entry.runtime_data.client.stopped
        return isinstance(stopped, cti.GrandstreamCTIWrongDeviceError)
    return entry.error_reason_translation_key == "wrong_device"


def _may_set_up_again(entry: ConfigEntry) -> bool:
    """Return True when setting an entry up again sends no rejected password."""
    if entry.state is ConfigEntryState.LOADED:
        return not entry.runtime_data.client.password_rejected
    if entry.state is ConfigEntryState.SETUP_ERROR:
        return entry.error_reason_translation_key in ("wrong_device", "api_changed")
    return entry.state is ConfigEntryState.SETUP_RETRY


class GrandstreamOptionsFlow(OptionsFlow):
    """Push: listen for the phone's Action URLs; write them into the phone."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options; the URLs only where they must be pasted."""
        entry, options = self.config_entry, self.config_entry.options
        if user_input is not None:
            return self.async_create_entry(data={**options, **user_input})
        push = options.get(const.CONF_PUSH, const.DEFAULT_PUSH)
        auto_push = options.get(const.CONF_AUTO_PUSH, const.DEFAULT_AUTO_PUSH)
        api = cti.PhoneApi.from_data(entry.data)
        auto = auto_push and api is not None and api.kind is cti.ApiKind.SESSION
        url = webhook_url(self.hass, entry.data[CONF_WEBHOOK_ID], entry.data[CONF_HOST])
        return self.async_show_form(
            step_id="auto" if auto else "init" if url else "no_url",
            data_schema=vol.Schema(
                {
                    vol.Required(const.CONF_PUSH, default=push): bool,
                    vol.Required(const.CONF_AUTO_PUSH, default=auto_push): bool,
                }
            ),
            description_placeholders={"urls": action_urls_markdown(url)}
            if url and not auto
            else None,
        )

    # The forms without URLs submit to their own step ids.
    async_step_auto = async_step_no_url = async_step_init
