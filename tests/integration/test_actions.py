"""Buttons and actions: what the phone receives and the states that follow."""

from __future__ import annotations

from typing import Any

from homeassistant.components.text import (
    ATTR_VALUE,
    DOMAIN as TEXT_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.grandstream_cti.const import DOMAIN
from simulator import PhoneSimulator

from .conftest import action, commands_sent, control, entity_id, phone_device, press


def _phone_device(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return phone_device(hass, entry.entry_id).id


def _line_state(hass: HomeAssistant) -> str:
    return hass.states.get(entity_id(hass, "sensor", "line_1_line_state")).state


@pytest.fixture(name="run")
def run_fixture(hass: HomeAssistant, init_integration: MockConfigEntry) -> Any:
    """Return a function that runs a call command by button or by action."""

    async def run(how: str, key: str) -> None:
        if how == "button":
            await press(hass, key)
        else:
            await action(hass, key, init_integration.entry_id)

    return run


@pytest.mark.parametrize("how", ["button", "action"])
async def test_answer_hold_resume_end(
    hass: HomeAssistant, simulator: PhoneSimulator, run: Any, how: str
) -> None:
    """A ringing call is answered, held, resumed and ended; states follow at once."""
    simulator.phone.incoming("+15555550100", "Carol")
    simulator.requests.clear()

    await run(how, "accept_call")
    assert _line_state(hass) == "connected"
    assert hass.states.get(entity_id(hass, "binary_sensor", "in_call")).state == "on"

    await run(how, "hold_call")
    assert _line_state(hass) == "onhold"
    await run(how, "hold_call")
    assert _line_state(hass) == "connected"

    await run(how, "end_call")
    assert _line_state(hass) == "idle"
    assert hass.states.get(entity_id(hass, "binary_sensor", "in_call")).state == "off"

    assert commands_sent(simulator) == [
        ("api-phone_operation", {"cmd": cmd})
        for cmd in ("acceptcall", "holdcall", "holdcall", "endcall")
    ]


@pytest.mark.parametrize("how", ["button", "action"])
@pytest.mark.parametrize(
    ("key", "cmd"), [("reject_call", "rejectcall"), ("cancel_call", "cancel")]
)
async def test_reject_or_cancel_a_ringing_call(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    run: Any,
    how: str,
    key: str,
    cmd: str,
) -> None:
    """Reject and cancel both send their own command and stop the ringing."""
    simulator.phone.incoming("+15555550100")
    simulator.requests.clear()
    await run(how, key)
    assert commands_sent(simulator) == [("api-phone_operation", {"cmd": cmd})]
    assert hass.states.get(entity_id(hass, "binary_sensor", "ringing")).state == "off"


@pytest.mark.parametrize("how", ["button", "action"])
@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("accept_call", "There is no ringing call to answer."),
        ("reject_call", "There is no ringing call to reject."),
        ("end_call", "There is no call to end."),
        ("hold_call", "There is no call to hold or resume."),
        ("cancel_call", "There is no call to cancel."),
    ],
)
async def test_refused_command(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    run: Any,
    how: str,
    key: str,
    message: str,
) -> None:
    """Nothing to act on: one plain sentence per case."""
    with pytest.raises(HomeAssistantError) as err:
        await run(how, key)
    assert str(err.value) == message.rstrip(".")


async def test_unreachable_phone(
    hass: HomeAssistant, simulator: PhoneSimulator, run: Any
) -> None:
    """A phone that does not answer gives a translated error."""
    await control(simulator, "fault", {"kind": "drop"})
    with pytest.raises(HomeAssistantError) as err:
        await run("action", "accept_call")
    assert err.value.translation_key == "cannot_connect"


@pytest.mark.parametrize(
    ("fault", "key", "text"),
    [
        ("http500", "unexpected_answer", "HTTP 500"),
        ("garbage", "unexpected_answer", "not JSON"),
    ],
)
async def test_odd_answers_are_not_unreachable(
    hass: HomeAssistant,
    simulator: PhoneSimulator,
    run: Any,
    fault: str,
    key: str,
    text: str,
) -> None:
    """HTTP errors and garbage are "answered something unexpected", printable."""
    await control(simulator, "fault", {"kind": fault})
    with pytest.raises(HomeAssistantError) as err:
        await run("action", "accept_call")
    assert err.value.translation_key == key
    assert text in str(err.value)
    assert not any(ord(char) < 0x20 for char in str(err.value))


async def test_make_call(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """make_call sends the number and the 0-based account, then shows calling."""
    simulator.requests.clear()
    await action(
        hass, "make_call", init_integration.entry_id, number="+15555550199", account=1
    )
    assert commands_sent(simulator) == [
        ("api-make_call", {"phonenumber": "+15555550199", "account": "0"})
    ]
    assert _line_state(hass) == "calling"

    await action(hass, "cancel_call", init_integration.entry_id)
    simulator.requests.clear()
    await action(hass, "make_call", init_integration.entry_id, number="*72100")
    assert commands_sent(simulator) == [("api-make_call", {"phonenumber": "*72100"})]


@pytest.mark.parametrize(
    "number", ["", "12 34", "call me", "1" * 65, "12;rm", "\x1b[31m1", "1" * 1000]
)
async def test_make_call_rejects_bad_numbers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    number: str,
) -> None:
    """Numbers a phone cannot dial never reach it."""
    simulator.requests.clear()
    with pytest.raises((ServiceValidationError, vol.Invalid)) as err:
        await action(hass, "make_call", init_integration.entry_id, number=number)
    if isinstance(err.value, ServiceValidationError):
        assert err.value.translation_key == "invalid_number"
        # The bad input is quoted shortened and printable, never in full.
        assert len(str(err.value)) < 200
        assert "\x1b" not in str(err.value)
    assert commands_sent(simulator) == []


@pytest.mark.parametrize("account", [1.7, True, "one", 0, -1])
async def test_make_call_account_is_a_whole_number(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    account: Any,
) -> None:
    """1.7 or true never dial account 1."""
    simulator.requests.clear()
    with pytest.raises(vol.Invalid):
        await action(
            hass, "make_call", init_integration.entry_id, number="100", account=account
        )
    assert commands_sent(simulator) == []


@pytest.mark.parametrize("account", ["1", 1.0])
async def test_make_call_account_forms(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    account: Any,
) -> None:
    """ "1" and 1.0 are account 1."""
    simulator.requests.clear()
    await action(
        hass, "make_call", init_integration.entry_id, number="100", account=account
    )
    assert commands_sent(simulator) == [
        ("api-make_call", {"phonenumber": "100", "account": "0"})
    ]


async def test_make_call_refused_by_the_phone(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """The phone's "Invalid Request" names what causes it on the phone."""
    simulator.phone.set_registered(1, False)
    simulator.phone.accounts[0].sip_id = ""
    with pytest.raises(HomeAssistantError) as err:
        await action(hass, "make_call", init_integration.entry_id, number="100")
    assert err.value.translation_key == "make_call_invalid_request"
    assert "Click-To-Dial" in str(err.value)


@pytest.mark.parametrize("account", [3, 9])
async def test_make_call_rejects_unconfigured_account(
    hass: HomeAssistant, init_integration: MockConfigEntry, account: int
) -> None:
    """An account the phone lacks, or has empty, is refused before dialling."""
    with pytest.raises(ServiceValidationError) as err:
        await action(
            hass, "make_call", init_integration.entry_id, number="100", account=account
        )
    assert err.value.translation_key == "account_not_configured"


@pytest.mark.parametrize(
    ("keys", "wire"),
    [("1,2,#,SEND", "1:2:#:SEND"), (["offhook", "*", "MPK3"], "OFFHOOK:STAR:MPK3")],
)
async def test_send_keys(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    keys: Any,
    wire: str,
) -> None:
    """Keys as a string or a list arrive chained with ':' ('#' intact)."""
    simulator.requests.clear()
    await action(hass, "send_keys", init_integration.entry_id, keys=keys)
    assert commands_sent(simulator) == [("api-send_key", {"keys": wire})]


@pytest.mark.parametrize("keys", ["1,BOGUS", "RESET", ",,", ["MPK0"]])
async def test_send_keys_rejects_unknown_keys(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    keys: Any,
) -> None:
    """Unknown key names are refused before anything is sent."""
    simulator.requests.clear()
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "send_keys", init_integration.entry_id, keys=keys)
    assert err.value.translation_key == "invalid_keys"
    assert commands_sent(simulator) == []


@pytest.mark.parametrize(
    "keys", [",".join(["1"] * 33), ["1"] * 33, ",".join(["1"] * 10000)]
)
async def test_send_keys_is_capped(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: PhoneSimulator,
    keys: Any,
) -> None:
    """A phone's key sequence is short: more than 32 keys is refused, clearly."""
    simulator.requests.clear()
    with pytest.raises((ServiceValidationError, vol.Invalid)) as err:
        await action(hass, "send_keys", init_integration.entry_id, keys=keys)
    if isinstance(err.value, ServiceValidationError):
        assert err.value.translation_key == "invalid_keys"
        assert len(str(err.value)) < 600
    assert commands_sent(simulator) == []


async def test_dial_box_and_call_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Type a number in the dial box, press call: the phone dials it."""
    with pytest.raises(ServiceValidationError) as err:
        await press(hass, "call")
    assert err.value.translation_key == "dial_number_empty"

    dial = entity_id(hass, "text", "dial_number")
    await hass.services.async_call(
        TEXT_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: dial, ATTR_VALUE: "+15555550142"},
        blocking=True,
    )
    assert hass.states.get(dial).state == "+15555550142"
    simulator.requests.clear()
    await press(hass, "call")
    assert commands_sent(simulator) == [
        ("api-make_call", {"phonenumber": "+15555550142"})
    ]
    assert _line_state(hass) == "calling"

    # A refused entry, in our own words (no regular expression), empties
    # the box: the call button never dials the number it replaced.
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            TEXT_DOMAIN,
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: dial, ATTR_VALUE: "not a number"},
            blocking=True,
        )
    assert err.value.translation_key == "invalid_number"
    assert "^" not in str(err.value)
    assert hass.states.get(dial).state == ""
    simulator.requests.clear()
    with pytest.raises(ServiceValidationError) as err:
        await press(hass, "call")
    assert err.value.translation_key == "dial_number_empty"
    assert commands_sent(simulator) == []
    # Emptying the box on purpose is no error.
    await hass.services.async_call(
        TEXT_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: dial, ATTR_VALUE: "   "},
        blocking=True,
    )
    assert hass.states.get(dial).state == ""


async def test_call_button_refuses_a_bad_stored_number(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Even a number set behind the text entity's back is checked."""
    init_integration.runtime_data.dial_number = "bad number"
    with pytest.raises(ServiceValidationError) as err:
        await press(hass, "call")
    assert err.value.translation_key == "invalid_number"


async def test_reboot_button(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Reboot sends REBOOT, never RESET."""
    simulator.requests.clear()
    await press(hass, "reboot")
    assert commands_sent(simulator)[0] == (
        "api-sys_operation",
        {"request": "REBOOT"},
    )


async def test_action_targets_several_phones(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """A list of devices runs the command on each (here: the same phone twice)."""
    device = _phone_device(hass, init_integration)
    simulator.phone.incoming("100")
    simulator.phone.incoming("101")
    simulator.requests.clear()
    await hass.services.async_call(
        DOMAIN, "reject_call", {"device_id": [device, device]}, blocking=True
    )
    assert len(commands_sent(simulator)) == 2


async def test_action_validation_of_targets(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Unknown devices, other integrations' devices and unloaded phones are refused."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "end_call", {"device_id": "nope"}, blocking=True
        )
    assert err.value.translation_key == "device_not_found"

    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}, name="Lamp"
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "end_call", {"device_id": foreign.id}, blocking=True
        )
    assert err.value.translation_key == "device_not_phone"

    device = _phone_device(hass, init_integration)
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "end_call", {"device_id": device}, blocking=True
        )
    assert err.value.translation_key == "phone_not_loaded"


async def test_commands_are_not_debounced(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: PhoneSimulator
) -> None:
    """Two commands in a row: states follow each at once (no 10 s cooldown)."""
    simulator.phone.incoming("100")
    await press(hass, "accept_call")
    assert _line_state(hass) == "connected"
    await press(hass, "hold_call")
    assert _line_state(hass) == "onhold"
    await press(hass, "hold_call")
    assert _line_state(hass) == "connected"
