"""Constants of the Grandstream IP Phone integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "grandstream_cti"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Grandstream"

# Fixed, as the quality scale wants: calls show at once through push; this
# is the safety net and what catches registration changes.
SCAN_INTERVAL: Final = timedelta(seconds=10)
# While a phone does not answer, polls back off: 2x, 4x ... up to this.
MAX_BACKOFF_INTERVAL: Final = timedelta(seconds=60)
# A quiet poll reads the lines only; every 3rd poll also reads phone status
# and accounts (registration and DND change rarely, and are pushed).
FULL_READ_EVERY_POLLS: Final = 3
# After a command, an action waits this long (seconds) for the read that makes
# states follow; a slow phone's read goes on in the background after that.
COMMAND_READ_WAIT: Final = 5.0

DEFAULT_USERNAME: Final = "admin"

CONF_ACCOUNT: Final = "account"
CONF_KEYS: Final = "keys"
CONF_NUMBER: Final = "number"
# Where the MAC that is the entry's unique id came from (identity.MacSource).
CONF_MAC_SOURCE: Final = "mac_source"

# Options: listen for the phone's Action URL requests; write them into the
# phone's slots ourselves (needs the session API).
CONF_PUSH: Final = "push"
DEFAULT_PUSH: Final = True
CONF_AUTO_PUSH: Final = "auto_push"
DEFAULT_AUTO_PUSH: Final = True

ISSUE_CTI_DISABLED: Final = "cti_disabled"
ISSUE_POPUP_CONFIRMATION: Final = "popup_confirmation"
ISSUE_NO_LOCAL_URL: Final = "no_local_url"
ISSUE_PUSH_FROM_OTHER_ADDRESS: Final = "push_from_other_address"
ISSUE_ACTION_URL_SLOTS_TAKEN: Final = "action_url_slots_taken"
ISSUE_PUSH_SETUP_FAILED: Final = "push_setup_failed"
ISSUE_CLICK_TO_DIAL_OFF: Final = "click_to_dial_off"

# The README heading the repair issues link to ("Prepare the phone").
DOCS_URL: Final = "https://github.com/grandstream-cti/grandstream-cti"
DOCS_PREPARE_PHONE: Final = f"{DOCS_URL}#prepare-the-phone"
DOCS_PUSH: Final = f"{DOCS_URL}#instant-updates-push"
