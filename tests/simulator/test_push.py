"""Action URL push received by a small HTTP server."""

from __future__ import annotations

from custom_components.grandstream_cti.cti import wire
from custom_components.grandstream_cti.cti.action_url import (
    ACTION_URL_VARIABLES,
    ActionUrlEvent,
    build_action_url,
    parse_action_url_event,
    parse_action_url_params,
)
from simulator import PhoneSimulator, SimulatorConfig
from simulator.push import ActionUrlPusher, substitute
from tests.simulator.conftest import Cti, Receiver


async def test_base_url_gets_event_and_every_variable(
    cti: Cti, simulator: PhoneSimulator, receiver: Receiver
) -> None:
    await cti.control("action_url", {"url": f"{receiver.url}/push"})
    simulator.phone.incoming("+15555550100", "Carol Smith")
    paths = await receiver.wait_for(2)
    incoming = receiver.matching("event=incoming_call")
    assert len(incoming) == 1
    path = incoming[0]
    assert path.startswith(
        "/push?event=incoming_call&phone_ip=127.0.0.1&mac=000b82123456"
    )
    for name in ACTION_URL_VARIABLES:
        assert f"&{name}=" in path
    assert "&remote=+15555550100&" in path  # not URL-encoded: the + stays
    assert "&display_remote=Carol%20Smith&" in path  # only the space is encoded
    assert "&calldirection=incoming" in path
    assert "&product=GRP2614&" in path
    assert any("event=idle_to_busy" in p for p in paths)


async def test_empty_variables_arrive_literally(
    cti: Cti, simulator: PhoneSimulator, receiver: Receiver
) -> None:
    await cti.control("action_url", {"url": f"{receiver.url}/push?token=1"})
    await cti.control("dnd", {"on": True})
    (path,) = await receiver.wait_for(1)
    assert path.startswith("/push?token=1&event=dnd_on&")
    assert "&remote=$remote&" in path
    assert "&call-id=$call-id&" in path


async def test_per_event_templates(
    cti: Cti, simulator: PhoneSimulator, receiver: Receiver
) -> None:
    host = receiver.url.removeprefix("http://")
    answer = await cti.control(
        "action_url",
        {
            "urls": {
                "incoming_call": f"{receiver.url}/in?caller=$remote&name=$display_remote&id=$call-id",
                "rejected_call": f"{host}/rejected/mac=$mac&remote=$remote",
                "dnd_on": f"{receiver.url}/dnd?remote=$remote&user=$active_user",
                "missed_call": f"{receiver.url}/missed?" + "x" * 300,
            }
        },
    )
    assert answer["url"] == ""
    assert set(answer["urls"]) == {
        "incoming_call",
        "rejected_call",
        "dnd_on",
        "missed_call",
    }
    simulator.phone.incoming("+4930123", "")
    await cti.ok(wire.FUNCTION_PHONE_OPERATION, cmd="rejectcall")
    simulator.phone.set_dnd(True)
    simulator.phone.incoming("5")
    simulator.phone.remote_hangup(1)  # missed: its URL is too long, dropped
    paths = await receiver.wait_for(4)
    await simulator.pusher.wait()
    assert len(paths) == 4
    call_id = simulator.phone.events[1].variables["call-id"]
    assert f"/in?caller=+4930123&name=$display_remote&id={call_id}" in paths
    assert "/rejected/mac=000b82123456&remote=+4930123" in paths
    assert "/dnd?remote=$remote&user=$active_user" in paths
    assert not receiver.matching("/missed")
    assert len(simulator.pusher.dropped) == 1
    state = await cti.state()
    assert state["action_url"]["dropped"] == 1
    # The same templates are the phone's slots (config store).
    assert state["action_url"]["slots"]["P8310"].endswith("&id=$call-id")
    assert state["action_url"]["slots"]["P8311"] == ""
    assert (
        simulator.store.value("P8316")
        == f"{receiver.url}/dnd?remote=$remote&user=$active_user"
    )


async def test_slots_by_pvalue_and_get(cti: Cti, simulator: PhoneSimulator) -> None:
    answer = await cti.control("action_url", {"urls": {"P8310": "http://ha/in"}})
    assert answer["urls"] == {"incoming_call": "http://ha/in"}
    assert answer["slots"]["P8310"] == "http://ha/in"
    assert "P22171" not in answer["slots"]  # a WP8x6 slot; this is a GRP
    assert (await cti.raw("/sim/action_url")).json == answer


async def test_bad_action_url_requests(cti: Cti) -> None:
    for body in ({"urls": {"teatime": "http://x"}}, {"url": 5}, {"urls": []}):
        async with cti.session.post(
            f"{cti.sim.url}/sim/action_url", json=body
        ) as response:
            assert response.status == 400


async def test_push_failure_is_quiet(simulator: PhoneSimulator) -> None:
    simulator.set_action_url("http://127.0.0.1:9/nothing")  # discard port: refused
    simulator.phone.set_dnd(True)
    await simulator.pusher.wait()
    assert len(simulator.pusher.sent) == 1


async def test_action_url_in_config_and_setup_completed(
    socket_enabled: None, receiver: Receiver
) -> None:
    sim = PhoneSimulator(
        SimulatorConfig(
            action_url=f"{receiver.url}/p", reboot_seconds=5, manual_clock=True
        )
    )
    await sim.start()
    try:
        sim.phone.reboot()
        sim.clock.advance(4.9)
        assert sim.phone.rebooting
        sim.clock.advance(0.1)
        assert not sim.phone.rebooting
        await receiver.wait_for(2)
        assert receiver.matching("event=setup_completed")
        registered = receiver.matching("event=registered")
        assert "&local=1001&" in registered[0]
        assert "&active_user=1&" in registered[0]
    finally:
        await sim.stop()


def test_substitute_is_raw_and_longest_name_first() -> None:
    variables = {"local": "1001", "display_local": "A&B", "remote": "", "call-id": "7"}
    assert (
        substitute(
            "x?l=$local&d=$display_local&r=$remote&c=$call-id&u=$unknown", variables
        )
        == "x?l=1001&d=A&B&r=$remote&c=7&u=$unknown"
    )
    assert substitute("$remote", {"remote": "é #"}) == "%C3%A9%20%23"


async def test_pusher_without_loop_users() -> None:
    pusher = ActionUrlPusher()
    assert pusher.urls_for(ActionUrlEvent.DND_ON, {}) == []
    pusher.emit(ActionUrlEvent.DND_ON, {})  # nothing configured: nothing sent
    await pusher.close()


async def test_urls_the_integration_hands_out_round_trip(
    cti: Cti, simulator: PhoneSimulator, receiver: Receiver
) -> None:
    """The client's suggested per-event URLs, pushed and parsed back."""
    events = (ActionUrlEvent.INCOMING_CALL, ActionUrlEvent.DND_ON)
    await cti.control(
        "action_url",
        {
            "urls": {
                event: build_action_url(f"{receiver.url}/hook", event)
                for event in events
            }
        },
    )
    simulator.phone.incoming("+15555550100", "Carol Smith")
    simulator.phone.set_dnd(True)
    paths = await receiver.wait_for(2)
    parsed = {
        parse_action_url_event(params): params
        for params in (parse_action_url_params(path) for path in paths)
    }
    incoming = parsed[ActionUrlEvent.INCOMING_CALL]
    assert incoming["remote"] == "+15555550100"
    assert incoming["mac"] == "000b82123456"
    assert incoming["active_user"] == "1"
    assert incoming["call-id"]
    dnd = parsed[ActionUrlEvent.DND_ON]
    assert dnd["remote"] == ""  # arrived literally as $remote
