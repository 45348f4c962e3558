"""HTTPS with a self-signed certificate, and the CLI's helpers."""

from __future__ import annotations

import ssl

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import wire
from simulator import PhoneSimulator, SimulatorConfig
from simulator.cli import (
    config_from_args,
    describe,
    nth_mac,
    parse_args,
    start_phones,
    stop_phones,
)
from tests.simulator.conftest import Cti


@pytest.mark.parametrize("simulator_config", [SimulatorConfig(ssl=True)])
async def test_https_with_verify_off(
    cti: Cti, simulator: PhoneSimulator, http: aiohttp.ClientSession
) -> None:
    assert simulator.url.startswith("https://127.0.0.1:")
    assert (await cti.ok(wire.FUNCTION_PHONE_STATUS))["body"] == "available"
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        async with http.get(f"{simulator.url}/sim/state", ssl=True):
            pass
    plain = simulator.url.replace("https://", "http://")
    with pytest.raises(aiohttp.ClientError):
        async with http.get(f"{plain}/sim/state"):
            pass


def test_self_signed_context() -> None:
    from simulator.tls import self_signed_context

    context = self_signed_context("GRP2614", ("127.0.0.1", "phone.local"))
    assert isinstance(context, ssl.SSLContext)


def test_parse_args_defaults_and_config() -> None:
    args = parse_args([])
    assert (args.host, args.port, args.phones, args.profile) == (
        "127.0.0.1",
        8080,
        1,
        "grp2614",
    )
    assert (args.model, args.tls, args.firmware) == (None, None, None)
    config = config_from_args(parse_args(["--profile", "wp826", "--no-tls"]))
    assert (config.profile, config.ssl, config.model) == ("wp826", False, None)
    with pytest.raises(SystemExit):
        parse_args(["--profile", "gxp9999"])
    args = parse_args(
        [
            "--passcode",
            "p",
            "--user-passcode",
            "u",
            "--model",
            "GRP2601",
            "--tls",
            "--action-url",
            "http://ha/x",
            "--connect-delay",
            "0.5",
            "--reboot-seconds",
            "1",
            "--strict-session",
            "--no-ha-control",
        ]
    )
    config = config_from_args(args)
    assert (config.strict_session, config.ha_control) == (True, False)
    defaults = config_from_args(parse_args([]))
    assert (defaults.strict_session, defaults.ha_control) == (False, True)
    assert config.passcode == "p"
    assert config.user_passcode == "u"
    assert config.model == "GRP2601"
    assert config.ssl is True
    assert config.action_url == "http://ha/x"
    assert config.call_connect_delay == 0.5
    assert config.reboot_seconds == 1
    with pytest.raises(SystemExit):
        parse_args(["--phones", "0"])


def test_nth_mac() -> None:
    assert nth_mac("00:0B:82:12:34:56", 0) == "00:0B:82:12:34:56"
    assert nth_mac("00:0B:82:12:34:FF", 1) == "00:0B:82:12:35:00"


async def test_several_phones_each_with_its_own_state(
    http: aiohttp.ClientSession,
) -> None:
    phones = await start_phones(SimulatorConfig(), 3, host="127.0.0.1", port=0)
    try:
        assert len({sim.port for sim in phones}) == 3
        assert [sim.config.mac for sim in phones] == [
            "00:0B:82:12:34:56",
            "00:0B:82:12:34:57",
            "00:0B:82:12:34:58",
        ]
        phones[1].phone.incoming("100")
        statuses = []
        for sim in phones:
            async with http.get(
                f"{sim.url}/cgi-bin/api-get_phone_status", params={"passcode": "admin"}
            ) as response:
                statuses.append((await response.json())["body"])
        assert statuses == ["available", "ringing", "available"]
        line = describe(phones[0])
        assert line.startswith("grp2614 GRP2614 1.0.13.22 00:0B:82:12:34:56 at ")
        assert "login admin/admin or user/123" in line
        assert "passcode=admin" in line
        assert f"control: {phones[0].url}/sim/" in line
    finally:
        await stop_phones(phones)


async def test_wp826_from_the_command_line(socket_enabled: None) -> None:
    config = config_from_args(parse_args(["--profile", "wp826", "--phones", "2"]))
    phones = await start_phones(config, 2, port=0)
    try:
        assert [sim.url.split(":")[0] for sim in phones] == ["https", "https"]
        assert phones[1].phone.mac == "00:0B:82:12:34:57"
        line = describe(phones[0])
        assert line.startswith("wp826 WP826 1.0.3.35 ")
        assert "no passcode API" in line
    finally:
        await stop_phones(phones)


async def test_consecutive_ports(socket_enabled: None) -> None:
    first = PhoneSimulator()
    await first.start(port=0)
    base = first.port
    await first.stop()
    try:
        phones = await start_phones(SimulatorConfig(), 2, port=base)
    except OSError:
        pytest.skip("a port next to a free one was taken meanwhile")
    try:
        assert [sim.port for sim in phones] == [base, base + 1]
    finally:
        await stop_phones(phones)
