"""What differs between the oldest supported Home Assistant and the newest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant import config_entries

# Home Assistant 2025.8 added OptionsFlowWithReload; before it, an update
# listener reloads the entry when its options change.
OPTIONS_NEED_UPDATE_LISTENER = not hasattr(config_entries, "OptionsFlowWithReload")

if TYPE_CHECKING:
    OptionsFlowWithReload = config_entries.OptionsFlow
else:
    OptionsFlowWithReload = getattr(
        config_entries, "OptionsFlowWithReload", config_entries.OptionsFlow
    )
