"""Action URL push: the phone calls configured URLs on events (spec §5).

Two ways to configure it:

- a base URL (`action_url`): every event is sent as
  `BASE?event=NAME&phone_ip=$phone_ip&mac=$mac&...` (`&` when the base already
  has a query), every variable of the spec in its order. This is a simulator
  convenience, so it is not subject to the 256-character limit.
- per-event templates (`urls`, keys = ActionUrlEvent values), exactly like the
  phone's P8304... fields (the config store's slots read and write these):
  `$variable` replaced by the raw value, empty values left literally
  (`remote=$remote`), URLs over 256 characters dropped.

Values are not URL-encoded (a leading `+` stays `+`, `&` stays `&`). Only what
cannot appear in an HTTP request line is percent-encoded: spaces, control
characters, `#` and non-ASCII (as UTF-8), because aiohttp refuses to send them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
import logging
import re
from typing import Final

import aiohttp
from yarl import URL

from custom_components.grandstream_cti.cti.action_url import (
    ACTION_URL_FIELDS,
    ACTION_URL_MAX_LENGTH,
    ACTION_URL_VARIABLES,
    EVENT_PARAMETER,
    ActionUrlEvent,
)

_LOGGER = logging.getLogger(__name__)
PUSH_TIMEOUT: Final = aiohttp.ClientTimeout(total=5)
_VARIABLE_RE: Final = re.compile(
    r"\$("
    + "|".join(
        re.escape(name) for name in sorted(ACTION_URL_VARIABLES, key=len, reverse=True)
    )
    + ")"
)


def raw_value(value: str) -> str:
    """Return `value` as the phone puts it in a URL: raw but for unsendable bytes."""
    out: list[str] = []
    for char in value:
        if char == "#" or ord(char) <= 0x20 or ord(char) >= 0x7F:
            out.extend(f"%{byte:02X}" for byte in char.encode())
        else:
            out.append(char)
    return "".join(out)


def substitute(template: str, variables: Mapping[str, str]) -> str:
    """Replace `$name` by its raw value; empty or unknown ones stay literal."""

    def replace(match: re.Match[str]) -> str:
        value = variables.get(match.group(1), "")
        return raw_value(value) if value else match.group(0)

    return _VARIABLE_RE.sub(replace, template)


def base_template(base: str, event: ActionUrlEvent) -> str:
    """Return the template used for a base URL: event name plus every variable."""
    separator = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        separator = ""
    pairs = [f"{EVENT_PARAMETER}={event}"]
    pairs += [f"{name}=${name}" for name in ACTION_URL_VARIABLES]
    return base + separator + "&".join(pairs)


def with_scheme(url: str) -> str:
    """Add `http://` to scheme-less URLs (the phone's fields are often written so)."""
    return url if "://" in url else f"http://{url}"


class ActionUrlPusher:
    """Send Action URL GETs in the background; every task is cancelled on close."""

    def __init__(
        self,
        base_url: str | None = None,
        events: Collection[ActionUrlEvent] | None = None,
    ) -> None:
        """Start with a base URL (or none) and no per-event templates.

        `events`: the events the phone has Action URL fields for (None: all);
        it reports only those, through the base URL too.
        """
        self.base_url = base_url or ""
        self.events = frozenset(ActionUrlEvent if events is None else events)
        self.templates: dict[ActionUrlEvent, str] = {}
        self.sent: list[str] = []
        self.dropped: list[str] = []
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def configure(
        self, url: str | None = None, urls: Mapping[str, str] | None = None
    ) -> None:
        """Set the base URL ("" = off) and/or replace every slot's template.

        This is the owner's hand on the phone: no 256-character check here
        (the phone still drops over-long URLs when it sends them).
        """
        if urls is not None:
            self.set_templates(urls)
        if url is not None:
            self.base_url = url

    def public(self) -> dict[str, object]:
        """Return the base URL and the templates by event (for `/sim/`)."""
        return {
            "url": self.base_url,
            "urls": {str(key): value for key, value in self.templates.items()},
        }

    def set_templates(self, templates: Mapping[str, str]) -> None:
        """Replace the per-event templates; keys: event names or slots (`P8310`)."""
        by_field = {field: event for event, field in ACTION_URL_FIELDS.items()}
        parsed: dict[ActionUrlEvent, str] = {}
        for key, value in templates.items():
            try:
                event = by_field.get(key) or ActionUrlEvent(key)
            except ValueError:
                raise ValueError(f"Unknown Action URL event {key!r}") from None
            if event not in self.events:
                raise ValueError(f"The phone has no Action URL field for {key!r}")
            if not isinstance(value, str):
                raise TypeError(f"The URL of {key} must be a string")
            if value:
                parsed[event] = value
        self.templates = parsed

    def urls_for(
        self, event: ActionUrlEvent, variables: Mapping[str, str]
    ) -> list[str]:
        """Return the URLs the phone calls for `event` (too long ones dropped)."""
        urls: list[str] = []
        if event not in self.events:
            return urls
        if self.base_url:
            urls.append(
                with_scheme(substitute(base_template(self.base_url, event), variables))
            )
        template = self.templates.get(event)
        if template:
            url = substitute(template, variables)
            if len(url) > ACTION_URL_MAX_LENGTH:
                _LOGGER.debug("Action URL over %s chars dropped: %s", len(url), url)
                self.dropped.append(url)
            else:
                urls.append(with_scheme(url))
        return urls

    def emit(self, event: ActionUrlEvent, variables: Mapping[str, str]) -> None:
        """Send `event` to every configured URL without waiting."""
        if self._closed:
            return
        for url in self.urls_for(event, variables):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop: nothing can be sent
            task = loop.create_task(self._send(url))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, url: str) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=PUSH_TIMEOUT)
        self.sent.append(url)
        try:
            async with self._session.get(URL(url, encoded=True)) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            _LOGGER.debug("Action URL %s failed: %s", url, err)

    async def wait(self) -> None:
        """Wait until every push in flight is done (handy in tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel pushes in flight and close the HTTP session."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
