"""Action URL push: the phone calls a webhook on each event.

Each push fires the call event at once and refreshes the phone; polling stays
on as the safety net.
"""

from __future__ import annotations

from ipaddress import ip_address
import socket
from typing import Final

from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.const import CONF_HOST, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.network import NoURLAvailableError, get_url
from yarl import URL

from .call_events import CallEventType
from .const import CONF_PUSH, DEFAULT_PUSH, DOMAIN, ISSUE_NO_LOCAL_URL, LOGGER
from .coordinator import GrandstreamConfigEntry
from .cti.action_url import (
    ACTION_URL_FIELDS,
    ACTION_URL_MAX_LENGTH,
    ActionUrlEvent,
    build_action_url,
    parse_action_url_event,
    parse_action_url_params,
)
from .identity import is_mac

PUSHED_CALL_EVENTS: Final = {
    ActionUrlEvent.INCOMING_CALL: CallEventType.INCOMING,
    ActionUrlEvent.OUTGOING_CALL: CallEventType.OUTGOING,
    ActionUrlEvent.ESTABLISHED_CALL: CallEventType.ANSWERED,
    ActionUrlEvent.MISSED_CALL: CallEventType.MISSED,
    ActionUrlEvent.TERMINATED_CALL: CallEventType.ENDED,
    ActionUrlEvent.REJECTED_CALL: CallEventType.REJECTED,
}

# Events worth a field on the phone: calls, plus what changes our sensors.
HANDED_OUT_EVENTS: Final = (
    *PUSHED_CALL_EVENTS,
    ActionUrlEvent.REGISTERED,
    ActionUrlEvent.UNREGISTERED,
    ActionUrlEvent.HOLD,
    ActionUrlEvent.UNHOLD,
    ActionUrlEvent.DND_ON,
    ActionUrlEvent.DND_OFF,
)


def push_signal(entry_id: str) -> str:
    """Return the dispatcher signal for one phone's pushed call events."""
    return f"{DOMAIN}_push_{entry_id}"


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


def action_urls(base: str) -> dict[str, tuple[ActionUrlEvent, str]]:
    """Return, per phone field (P-value), the event and the URL to paste.

    The guides write Action URLs without a scheme; the phone uses HTTP.
    """
    urls: dict[str, tuple[ActionUrlEvent, str]] = {}
    for event in HANDED_OUT_EVENTS:
        url = build_action_url(base, event)
        shown = url.removeprefix("http://")
        if len(shown) > ACTION_URL_MAX_LENGTH:  # pragma: no cover - ids are 64 chars
            LOGGER.warning("Action URL for %s is longer than the phone accepts", event)
        urls[ACTION_URL_FIELDS[event]] = (event, shown)
    return urls


def action_urls_markdown(base: str | None) -> str:
    """Return the Action URL table for the config and options flows."""
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


async def async_handle_push(
    entry: GrandstreamConfigEntry, hass: HomeAssistant, request: Request
) -> Response | None:
    """Handle one request from the phone; ignore anyone else's silently."""
    source = _remote_address(request)
    if source is None or source not in await _resolve(hass, entry.data[CONF_HOST]):
        # No error page: nothing here should help a prober.
        LOGGER.debug("Ignoring a push for %s from another address", entry.title)
        return None
    params = parse_action_url_params(request.raw_path)
    event = parse_action_url_event(params)
    LOGGER.debug("Push from %s: %s", entry.title, event or "unknown event")
    _learn_mac(hass, entry, params.get("mac", ""))
    coordinator = entry.runtime_data.coordinator
    if event in PUSHED_CALL_EVENTS:
        async_dispatcher_send(
            hass,
            push_signal(entry.entry_id),
            PUSHED_CALL_EVENTS[event],
            params.get("remote", ""),
        )
    coordinator.note_push()
    hass.async_create_background_task(
        coordinator.async_refresh(), f"{DOMAIN} push refresh {entry.entry_id}"
    )
    return None


@callback
def _learn_mac(hass: HomeAssistant, entry: GrandstreamConfigEntry, mac: str) -> None:
    """Key a host-keyed phone by the MAC its push reveals."""
    if not mac or is_mac(entry.unique_id):
        return
    unique_id = format_mac(mac)
    if not is_mac(unique_id):
        return
    taken = any(
        other.unique_id == unique_id
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.entry_id != entry.entry_id
    )
    if not taken:
        hass.config_entries.async_update_entry(entry, unique_id=unique_id)


@callback
def async_setup_push(hass: HomeAssistant, entry: GrandstreamConfigEntry) -> None:
    """Register the phone's webhook and say whether the phone can reach it."""
    issue_id = f"{ISSUE_NO_LOCAL_URL}_{entry.entry_id}"
    if not push_enabled(entry):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]

    async def handle(
        hass: HomeAssistant, _webhook_id: str, request: Request
    ) -> Response | None:
        return await async_handle_push(entry, hass, request)

    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        handle,
        local_only=True,
        allowed_methods=("GET", "POST"),
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))
    if webhook_base_url(hass, webhook_id, entry.data[CONF_HOST]) is None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_NO_LOCAL_URL,
            translation_placeholders={"name": entry.title},
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
