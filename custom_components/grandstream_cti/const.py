"""Constants of the Grandstream IP Phone integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "grandstream_cti"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Grandstream"

# Fixed, as the quality scale wants; with push proven the phone is read at a
# heartbeat instead (cti.ReadSchedule holds the whole policy).
SCAN_INTERVAL: Final = timedelta(seconds=10)
# How long a request may take (seconds): Wi-Fi handsets asleep answer late.
REQUEST_TIMEOUT: Final = 10.0
# After a command, an action waits this long (seconds) for the read that makes
# states follow; a slow phone's read goes on in the background after that.
COMMAND_READ_WAIT: Final = 5.0

CONF_ACCOUNT: Final = "account"
CONF_KEYS: Final = "keys"
CONF_NUMBER: Final = "number"
# Where the MAC that is the entry's unique id came from (identity.MacSource).
CONF_MAC_SOURCE: Final = "mac_source"
# The API and login the phone proved (never changed but by the user).
CONF_API: Final = "api"
CONF_LOGIN: Final = "login"
# DHCP moved the entry: the device at the new address has not proved yet
# that it is the phone.
CONF_MOVED: Final = "moved"

# Options: listen for the phone's Action URL requests; write them into the
# phone's slots ourselves (needs the session API).
CONF_PUSH: Final = "push"
DEFAULT_PUSH: Final = True
CONF_AUTO_PUSH: Final = "auto_push"
DEFAULT_AUTO_PUSH: Final = True

DOCS_URL: Final = "https://github.com/grandstream-cti/grandstream-cti"
DOCS_PREPARE_PHONE: Final = f"{DOCS_URL}#prepare-the-phone"
DOCS_PUSH: Final = f"{DOCS_URL}#instant-updates-push"
DOCS_TRUST: Final = f"{DOCS_URL}#what-home-assistant-trusts"
# The phone rejected the entry's password: removal sends nothing to it.
CONF_REJECTED: Final = "password_rejected"
