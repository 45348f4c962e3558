"""Push: the phone calls a webhook on each event (Action URLs).

One `PushManager` per entry owns the webhook, the URLs it writes into the phone
(keys the phone has, never another system's; stale ones of ours reclaimed) and
whether pushes arrive. A push only makes the phone be read at once. The webhook
outlives setup retries: a phone that pushes then (a reboot) is set up at once.
"""

from __future__ import annotations

from datetime import datetime
import re
from typing import Final

from aiohttp.web import Request, Response
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_WEBHOOK_ID, EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util import dt as dt_util
from yarl import URL

from . import const, cti
from .calls import CallTracker
from .coordinator import GrandstreamCoordinator
from .identity import async_prove_address, entry_mac
from .issues import Issue, async_clear_issue, async_set_issue

# Events worth a slot on the phone; the last two only on Wi-Fi handsets.
HANDED_OUT_EVENTS: Final = cti.FOLLOWED_EVENTS
HANDED_OUT_FIELDS: Final = tuple(cti.ACTION_URL_FIELDS[e] for e in HANDED_OUT_EVENTS)
# One of our URLs, whichever entry it was for: <root>/api/webhook/<id>?event=
_OUR_URL: Final = re.compile(r"^(?P<root>.+)/api/webhook/(?P<id>[\w-]+)\?event=\w+&")
# Addresses warned about per entry (a bound); unannounced calls before telling.
MAX_WARNED_ADDRESSES: Final = 64
UNANNOUNCED_BEFORE_ISSUE: Final = 2


def webhook_url(hass: HomeAssistant, webhook_id: str, phone_host: str) -> str | None:
    """Return the webhook URL the phone can reach (loopback: only the simulator)."""
    try:
        base = get_url(hass, allow_external=False, allow_cloud=False)
    except NoURLAvailableError:
        return None
    if cti.is_loopback(URL(base).host or "") and not cti.is_loopback(phone_host):
        return None
    return f"{base}{webhook.async_generate_path(webhook_id)}"


def action_urls_markdown(base: str) -> str:
    """Return the Action URLs to paste by hand (desk phones: no battery events)."""
    events = HANDED_OUT_EVENTS[:-2]
    urls = cti.action_urls(base, events)
    return "\n".join(
        f"- {field} ({event.replace('_', ' ')}): `{urls[field]}`"
        for event in events
        if (field := cti.ACTION_URL_FIELDS[event])
    )


class PushManager:
    """One entry's push: its webhook, its URLs in the phone, whether pushes arrive."""

    def __init__(self, coordinator: GrandstreamCoordinator, calls: CallTracker) -> None:
        """Initialize; nothing is registered yet."""
        self._hass, self._entry = coordinator.hass, coordinator.config_entry
        self._coordinator, self._calls = coordinator, calls
        self._webhook_id: str = self._entry.data[CONF_WEBHOOK_ID]
        # The slots this entry wrote, and when the phone last pushed.
        self.slots: dict[str, str] = {}
        self.last_push: datetime | None = None
        # The phone was given our URLs (we wrote them, or it pushed once).
        self.expected = False
        self._pushed = False
        self._unannounced = 0
        self._reload_asked = False
        self._warned: set[str] = set()

    @property
    def enabled(self) -> bool:
        """Return True when the user wants push for this phone."""
        return bool(self._entry.options.get(const.CONF_PUSH, const.DEFAULT_PUSH))

    @property
    def url(self) -> str | None:
        """Return the webhook URL the phone can reach, if any."""
        return webhook_url(self._hass, self._webhook_id, self._entry.data[CONF_HOST])

    @callback
    def async_listen(self) -> None:
        """Register the webhook (replacing this entry's earlier registration)."""
        webhook.async_unregister(self._hass, self._webhook_id)
        webhook.async_register(
            self._hass,
            const.DOMAIN,
            self._entry.title,
            self._webhook_id,
            self._async_handle,
            local_only=True,
            allowed_methods=("GET", "POST"),
        )

    @callback
    def async_stop(self) -> None:
        """Unregister the webhook."""
        webhook.async_unregister(self._hass, self._webhook_id)

    @callback
    def async_start(self) -> None:
        """With the phone set up: check pushes, write the URLs, follow the local URL."""
        entry = self._entry
        entry.async_on_unload(self.async_stop)
        entry.async_on_unload(self._calls.listen(self._check_announced))
        # A new local URL (Settings → Network) goes into the phone at once.
        changed = callback(lambda _event: self._async_set_up_phone())
        entry.async_on_unload(
            self._hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, changed)
        )
        self._async_set_up_phone()

    @callback
    def _async_set_up_phone(self) -> None:
        """Say whether the phone can reach Home Assistant; write its URLs (session)."""
        url, entry = self.url, self._entry
        if url is None:
            async_set_issue(self._hass, entry, Issue.NO_LOCAL_URL)
            return
        async_clear_issue(self._hass, entry, Issue.NO_LOCAL_URL)
        api = self._coordinator.client.api
        if (
            entry.options.get(const.CONF_AUTO_PUSH, const.DEFAULT_AUTO_PUSH)
            and api is not None
            and api.kind is cti.ApiKind.SESSION
        ):
            entry.async_create_background_task(
                self._hass, self._async_write_urls(url), f"{const.DOMAIN} Action URLs"
            )

    def _ours(self, value: str, root: str) -> bool:
        """Return True for this entry's URL, or ours that no entry holds (stale)."""
        if webhook.async_generate_path(self._webhook_id) in value:
            return True
        match = _OUR_URL.match(value.strip())
        held = {
            entry.data.get(CONF_WEBHOOK_ID)
            for entry in self._hass.config_entries.async_entries(const.DOMAIN)
        }
        return match is not None and match["root"] == root and match["id"] not in held

    async def _async_write_urls(self, url: str) -> None:
        """Write our URLs into the keys the phone has that are free or ours."""
        hass, entry = self._hass, self._entry
        root = url.rsplit("/api/webhook/", 1)[0]
        battery = self._coordinator.capabilities.battery
        events = HANDED_OUT_EVENTS if battery else HANDED_OUT_EVENTS[:-2]
        try:
            plan = await self._coordinator.client.write_action_urls(
                cti.action_urls(url, events), lambda value: self._ours(value, root)
            )
        except cti.GrandstreamCTIWriteRejectedError as err:
            const.LOGGER.warning(
                "%s did not take its Action URLs: %s", entry.title, err
            )
            urls = {"urls": action_urls_markdown(url)}
            async_set_issue(hass, entry, Issue.PUSH_SETUP_FAILED, urls)
            return
        except cti.GrandstreamCTIError as err:
            const.LOGGER.warning("Could not set up push on %s: %s", entry.title, err)
            return
        self.slots = {f"P{key}": value for key, value in plan.write.items()}
        async_clear_issue(hass, entry, Issue.PUSH_SETUP_FAILED)
        if plan.taken:
            slots = {"slots": ", ".join(f"P{key}" for key in plan.taken)}
            async_set_issue(hass, entry, Issue.ACTION_URL_SLOTS_TAKEN, slots)
        else:
            async_clear_issue(hass, entry, Issue.ACTION_URL_SLOTS_TAKEN)
        if self.slots:
            # Written and read back: the phone will push; a heartbeat is enough.
            self.expected = self._coordinator.push_trusted = True

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: Request
    ) -> Response | None:
        """Handle one request; anyone else's is dropped without an answer."""
        entry = self._entry
        if entry.disabled_by is not None or not self.enabled:
            self.async_stop()
            return None
        source = cti.normalize_host(request.remote or "?")
        if source not in await cti.resolve_host(entry.data[CONF_HOST]):
            self._warn_other_address(source)
            return None
        async_clear_issue(hass, entry, Issue.PUSH_FROM_OTHER_ADDRESS)
        params = cti.parse_action_url_params(request.raw_path)
        event = cti.parse_action_url_event(params)
        told, known = cti.normalize_mac(params.get("mac")), entry_mac(entry)
        if told is not None and known is not None and told != known:
            const.LOGGER.debug("Ignoring a push for %s naming another MAC", entry.title)
            return None
        const.LOGGER.debug("Push from %s: %s", entry.title, event or "unknown event")
        if entry.state is ConfigEntryState.SETUP_RETRY and not self._reload_asked:
            # The phone is back (it pushes after a reboot): set it up now, once.
            self._reload_asked = True
            hass.config_entries.async_schedule_reload(entry.entry_id)
        if (
            entry.state is ConfigEntryState.LOADED
            and not self._coordinator.client.password_rejected
        ):
            self._note_push(event)
            entry.async_create_background_task(
                hass, self._coordinator.async_read_now(), f"{const.DOMAIN} push read"
            )
        return None

    def _note_push(self, event: cti.ActionUrlEvent | None) -> None:
        """Take a push into account: push works; some events need a full read."""
        self.last_push = dt_util.utcnow()
        self.expected = self._pushed = self._coordinator.push_trusted = True
        self._unannounced = 0
        async_clear_issue(self._hass, self._entry, Issue.PUSH_NOT_ARRIVING)
        if event is cti.ActionUrlEvent.REJECTED_CALL:
            self._calls.expect_rejection()
        if event not in cti.CALL_EVENTS:
            # Registration, DND, battery: not in the lines.
            self._coordinator.request_full_read()

    @callback
    def _check_announced(self, events: list[cti.CallEvent]) -> None:
        """Check that a push announced the calls a read just found."""
        announced, self._pushed = self._pushed, False
        if announced or not self._coordinator.timer_read or not self.expected:
            return
        self._coordinator.distrust_push()
        self._unannounced += 1
        if self._unannounced >= UNANNOUNCED_BEFORE_ISSUE and self.enabled:
            url = {"url": self.url or "?"}
            async_set_issue(self._hass, self._entry, Issue.PUSH_NOT_ARRIVING, url)

    @callback
    def _warn_other_address(self, source: str) -> None:
        """Tell the user once per address that pushes come from elsewhere."""
        entry, host = self._entry, self._entry.data[CONF_HOST]
        if source in self._warned or len(self._warned) >= MAX_WARNED_ADDRESSES:
            const.LOGGER.debug("Ignoring a push for %s from %s", entry.title, source)
            return
        self._warned.add(source)
        const.LOGGER.warning(
            "Ignoring a push for %s from %s, which is not the phone's address %s",
            entry.title,
            source,
            host,
        )
        places = {"address": source, "host": host}
        async_set_issue(self._hass, entry, Issue.PUSH_FROM_OTHER_ADDRESS, places)


async def async_remove_push(
    hass: HomeAssistant, entry: ConfigEntry, client: cti.GrandstreamCTIClient
) -> None:
    """Unregister a removed entry's webhook; empty its slots (best effort).

    Never with a password the phone rejected, nor to an unproven device.
    """
    webhook.async_unregister(hass, entry.data[CONF_WEBHOOK_ID])
    path = webhook.async_generate_path(entry.data[CONF_WEBHOOK_ID])
    proven, _ = await async_prove_address(hass, entry.data, entry_mac(entry))
    if entry.data.get(const.CONF_REJECTED) or not proven:
        return
    try:
        if await client.login() is not None:
            await client.clear_action_urls(lambda value: path in value)
    except cti.GrandstreamCTIError as err:
        const.LOGGER.warning(
            "Could not clear the Action URLs of %s: %s", entry.title, err
        )
    await client.logout()
