"""Shared fixtures.

`homeassistant` is imported first: from 2026.9 it aliases voluptuous to probatio,
which must happen before anything imports voluptuous. Our `custom_components`
package is imported before Home Assistant starts so its loader finds ours and
not the one shipped with the test harness.
"""

from __future__ import annotations

import homeassistant  # noqa: F401  # isort: skip

import custom_components.grandstream_cti  # noqa: F401  # isort: skip

from collections.abc import AsyncIterator
import socket

import pytest

from simulator import PhoneSimulator, SimulatorConfig


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Return the simulated phone's settings; override in a test module to change them."""
    return SimulatorConfig()


@pytest.fixture
async def simulator(
    socket_enabled: None,
    simulator_config: SimulatorConfig,
    request: pytest.FixtureRequest,
) -> AsyncIterator[PhoneSimulator]:
    """Run a simulated phone on a free loopback port for the test.

    A client or integration test fails if it reset, provisioned or
    re-passworded the phone (the simulator's own tests do so on purpose).
    """
    sim = PhoneSimulator(simulator_config)
    await sim.start(host="127.0.0.1", port=0)
    try:
        yield sim
    finally:
        await sim.stop()
    if "simulator" not in request.node.path.parts:
        assert sim.tripwires == []


def free_port() -> int:
    """Return a loopback port nobody listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
