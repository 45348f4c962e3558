"""Constants of the Grandstream IP Phone (CTI) integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "grandstream_cti"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "Grandstream"

DEFAULT_SCAN_INTERVAL: Final = 10
MIN_SCAN_INTERVAL: Final = 2
MAX_SCAN_INTERVAL: Final = 300
# While a phone does not answer, polls back off: 2x, 4x ... up to this.
MAX_BACKOFF_INTERVAL: Final = timedelta(seconds=60)
# A quiet poll reads the lines only; every 3rd poll also reads phone status
# and accounts (registration and DND change rarely, and are pushed).
FULL_READ_EVERY_POLLS: Final = 3

CONF_ACCOUNT: Final = "account"
CONF_KEYS: Final = "keys"
CONF_NUMBER: Final = "number"

ISSUE_CTI_DISABLED: Final = "cti_disabled"
ISSUE_POPUP_CONFIRMATION: Final = "popup_confirmation"

CONF_PUSH: Final = "push"
DEFAULT_PUSH: Final = True
ISSUE_NO_LOCAL_URL: Final = "no_local_url"
