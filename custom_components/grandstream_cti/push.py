"""Action URL push: the phone calls a webhook on each event.

A push only makes the phone be read at once (call events come from comparing
readings); a `rejected` push also says how the ringing call ended. The
webhook outlives setup retries, so a phone that pushes while its entry waits
to retry (a reboot) is set up at once. Requests from any other address are
dropped without an answer, and the user is told once.
"""

from __future__ import annotations

from ipaddress import ip_address
import socket
from typing import Final

from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url
from yarl import URL

from .const import (
    CONF_PUSH,
    DEFAULT_PUSH,
    DOMAIN,
    ISSUE_NO_LOCAL_URL,
    ISSUE_PUSH_FROM_OTHER_ADDRESS,
    LOGGER,
)
from .coordinator import GrandstreamConfigEntry
from .cti.action_url import (
    ACTION_URL_FIELDS,
    ACTION_URL_MAX_LENGTH,
    ActionUrlEvent,
    build_action_url,
    parse_action_url_event,
    parse_action_url_params,
)
from .domain_data import domain_data
from .identity import MacSource, adopt_mac, normalize_mac
from .issues import async_clear_issue, async_set_issue

# Events worth a slot on the phone: calls, and what changes our entities.
HANDED_OUT_EVENTS: Final = (
    ActionUrlEvent.INCOMING_CALL,
    ActionUrlEvent.OUTGOING_CALL,
    ActionUrlEvent.ESTABLISHED_CALL,
    ActionUrlEvent.MISSED_CALL,
    ActionUrlEvent.TERMINATED_CALL,
    ActionUrlEvent.REJECTED_CALL,
    ActionUrlEvent.REGISTERED,
    ActionUrlEvent.UNREGISTERED,
    ActionUrlEvent.HOLD,
    ActionUrlEvent.UNHOLD,
    ActionUrlEvent.DND_ON,
    ActionUrlEvent.DND_OFF,
)
# Wi-Fi handsets also report their battery (a push reads it at once).
BATTERY_EVENTS: Final = (ActionUrlEvent.BATTERY_LOW, ActionUrlEvent.BATTERY_OK)
# The phone's fields for all those events.
HANDED_OUT_FIELDS: Final = tuple(
    ACTION_URL_FIELDS[event] for event in (*HANDED_OUT_EVENTS, *BATTERY_EVENTS)
)
# Addresses remembered per entry for the one-time warning (a bound).
MAX_WARNED_ADDRESSES: Final = 64


def push_enabled(entry: GrandstreamConfigEntry) -> bool:
    """Return True when the user wants push for this phone."""
    return bool(entry.options.get(CONF_PUSH, DEFAULT_PUSH))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def webhook_base_url(
    hass: HomeAssistant, webhook_id: str, phone_host: str
) -> str | None:
    """Return the webhook URL the phone can reach, or None if there is none.

    A loopback address only serves a phone on this machine (the simulator).
    """
    try:
        base = get_url(
            hass, allow_external=False, allow_cloud=False, prefer_external=False
        )
    except NoURLAvailableError:
        return None
    host = URL(base).host or ""
    if _is_loopback(host) and not _is_loopback(phone_host):
        return None
    return f"{base}{webhook.async_generate_path(webhook_id)}"


def action_urls(
    base: str, *, battery: bool = False
) -> dict[str, tuple[ActionUrlEvent, str]]:
    """Return, per phone field (P-value), the event and its Action URL.

    battery: the phone has a battery (its low/OK events have fields).
    """
    urls: dict[str, tuple[ActionUrlEvent, str]] = {}
    for event in (*HANDED_OUT_EVENTS, *(BATTERY_EVENTS if battery else ())):
        url = build_action_url(base, event)
        if len(url) > ACTION_URL_MAX_LENGTH:  # pragma: no cover - ids are short
            LOGGER.warning("Action URL for %s is longer than the phone accepts", event)
        urls[ACTION_URL_FIELDS[event]] = (event, url)
    return urls


def action_urls_markdown(base: str | None) -> str:
    """Return the Action URL list for the flows and repair issues."""
    if base is None:
        return (
            "Home Assistant has no local URL the phone can reach. Set one under "
            "Settings → System → Network → Home Assistant URL → Local network, "
            "then open this phone's options to see the Action URLs."
        )
    return "\n".join(
        f"- {field} ({event.value.replace('_', ' ')}): `{url}`"
        for field, (event, url) in action_urls(base).items()
    )


async def _resolve(hass: HomeAssistant, host: str) -> set[str]:
    """Return the addresses of the phone's host (an IP stays itself)."""
    host = host.strip("[]")
    try:
        return {str(ip_address(host))}
    except ValueError:
        pass
    try:
        infos = await hass.loop.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return set()
    return {str(ip_address(str(info[4][0]).split("%")[0])) for info in infos}


def _remote_address(request: Request) -> str | None:
    try:
        return str(ip_address(request.remote or ""))
    except ValueError:
        return None


@callback
def async_register_webhook(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> None:
    """Register the entry's webhook (once; it stays through setup retries)."""
    data = domain_data(hass)
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]
    if webhook_id in data.webhooks:
        return
    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        _async_handle_webhook,
        local_only=True,
        allowed_methods=("GET", "POST"),
    )
    data.webhooks[webhook_id] = entry.entry_id


@callback
def async_unregister_webhook(hass: HomeAssistant, webhook_id: str | None) -> None:
    """Unregister one of our webhooks, if registered."""
    webhooks = domain_data(hass).webhooks
    if webhook_id is not None and webhook_id in webhooks:
        del webhooks[webhook_id]
        webhook.async_unregister(hass, webhook_id)


async def _async_handle_webhook(
    hass: HomeAssistant, webhook_id: str, request: Request
) -> Response | None:
    """Handle one request; anyone else's is dropped without an answer."""
    data = domain_data(hass)
    entry_id = data.webhooks.get(webhook_id)
    entry: GrandstreamConfigEntry | None = (
        None if entry_id is None else hass.config_entries.async_get_entry(entry_id)
    )
    if (
        entry is None
        or entry.disabled_by is not None
        or entry.data.get(CONF_WEBHOOK_ID) != webhook_id
        or not push_enabled(entry)
    ):
        async_unregister_webhook(hass, webhook_id)
        return None
    source = _remote_address(request)
    if source is None or source not in await _resolve(hass, entry.data[CONF_HOST]):
        _warn_other_address(hass, entry, source or "?")
        return None
    async_clear_issue(hass, entry, ISSUE_PUSH_FROM_OTHER_ADDRESS)
    params = parse_action_url_params(request.raw_path)
    event = parse_action_url_event(params)
    LOGGER.debug("Push from %s: %s", entry.title, event or "unknown event")
    if entry.state is ConfigEntryState.SETUP_RETRY:
        # The phone is back (it pushes after a reboot): set it up now, once.
        if entry.entry_id not in data.reloads_pending:
            data.reloads_pending.add(entry.entry_id)
            hass.config_entries.async_schedule_reload(entry.entry_id)
        return None
    if entry.state is not ConfigEntryState.LOADED:
        return None
    if entry.unique_id is None and (mac := normalize_mac(params.get("mac"))):
        # A hint: it never moves or outranks a MAC the phone or network gave.
        adopt_mac(hass, entry, mac, MacSource.PUSH)
    coordinator = entry.runtime_data.coordinator
    coordinator.note_push(rejected=event is ActionUrlEvent.REJECTED_CALL)
    entry.async_create_background_task(
        hass, coordinator.async_read_now(), f"{DOMAIN} push read {entry.entry_id}"
    )
    return None


@callback
def _warn_other_address(
    hass: HomeAssistant, entry: GrandstreamConfigEntry, source: str
) -> None:
    """Tell the user once per address that pushes come from elsewhere."""
    warned = domain_data(hass).foreign_push_warned
    key = (entry.entry_id, source)
    if key in warned or len(warned) >= MAX_WARNED_ADDRESSES:
        LOGGER.debug("Ignoring a push for %s from %s", entry.title, source)
        return
    warned.add(key)
    LOGGER.warning(
        "Ignoring a push for %s from %s, which is not the phone's address %s",
        entry.title,
        source,
        entry.data[CONF_HOST],
    )
    async_set_issue(
        hass,
        entry,
        ISSUE_PUSH_FROM_OTHER_ADDRESS,
        {"address": source, "host": entry.data[CONF_HOST]},
    )


@callback
def async_check_local_url(
    hass: HomeAssistant, entry: GrandstreamConfigEntry
) -> str | None:
    """Return the webhook URL the phone can reach; raise an issue when none."""
    base = webhook_base_url(hass, entry.data[CONF_WEBHOOK_ID], entry.data[CONF_HOST])
    if base is None and push_enabled(entry):
        async_set_issue(hass, entry, ISSUE_NO_LOCAL_URL)
    else:
        async_clear_issue(hass, entry, ISSUE_NO_LOCAL_URL)
    return base
