"""Fixtures of the CTI client tests (no simulator needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.grandstream_cti.cti import (
    ApiKind,
    GrandstreamCTIClient,
    PhoneApi,
)

from .fake_phone import SECRET, FakePhone


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return an aiohttp session closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def phone(socket_enabled: None) -> AsyncIterator[FakePhone]:
    """Run a scripted fake phone on 127.0.0.1."""
    async with FakePhone() as fake:
        yield fake


@pytest.fixture
def make_client(
    session: aiohttp.ClientSession, phone: FakePhone
) -> Callable[..., GrandstreamCTIClient]:
    """Return a factory of clients talking to the fake phone."""

    def factory(**kwargs: Any) -> GrandstreamCTIClient:
        # The scripted phone answers anything: say which API it speaks.
        options: dict[str, Any] = {
            "port": phone.port,
            "timeout": 2.0,
            "api": PhoneApi(ApiKind.PASSCODE),
        }
        options.update(kwargs)
        return GrandstreamCTIClient(
            options.pop("host", "127.0.0.1"),
            options.pop("passcode", SECRET),
            session=session,
            **options,
        )

    return factory


@pytest.fixture
def client(make_client: Callable[..., GrandstreamCTIClient]) -> GrandstreamCTIClient:
    """Return a client of the fake phone with the default settings."""
    return make_client()
