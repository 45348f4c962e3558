"""Command line: `python -m simulator` serves one or more simulated phones."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import dataclasses
import signal
import sys

from .config import SimulatorConfig
from .presets import MODELS
from .profiles import DEFAULT_PROFILE, PROFILES
from .server import PhoneSimulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="Simulated Grandstream phones."
    )
    parser.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        choices=sorted(PROFILES),
        help="firmware family (default grp2614: passcode CTI and web sessions)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="first port (0 = free)")
    parser.add_argument("--passcode", default="admin", help="admin web password")
    parser.add_argument("--user-passcode", default="123", help="user web password")
    parser.add_argument(
        "--model", default=None, choices=sorted(MODELS), help="default: the profile's"
    )
    parser.add_argument("--firmware", default=None, help="default: the profile's")
    parser.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="HTTPS, self-signed (default: the profile's; wp826 is HTTPS)",
    )
    parser.add_argument("--phones", type=int, default=1, help="phones on next ports")
    parser.add_argument("--action-url", default=None, help="base URL for pushes")
    parser.add_argument("--connect-delay", type=float, default=2.0)
    parser.add_argument("--reboot-seconds", type=float, default=5.0)
    parser.add_argument(
        "--strict-session",
        action="store_true",
        help="sid only from the `sid` cookie, exact same-origin Referer on POST/PUT",
    )
    parser.add_argument(
        "--ha-control",
        action=argparse.BooleanOptionalAction,
        default=True,
        help='GSC "Home Assistant control" (off: logins answer "user is not allow")',
    )
    args = parser.parse_args(argv)
    if args.phones < 1:
        parser.error("--phones must be at least 1")
    return args


def config_from_args(args: argparse.Namespace) -> SimulatorConfig:
    """Return the first phone's settings from parsed arguments."""
    return SimulatorConfig(
        profile=args.profile,
        model=args.model,
        firmware=args.firmware,
        passcode=args.passcode,
        user_passcode=args.user_passcode,
        ssl=args.tls,
        action_url=args.action_url or None,
        call_connect_delay=args.connect_delay,
        reboot_seconds=args.reboot_seconds,
        strict_session=args.strict_session,
        ha_control=args.ha_control,
    )


def nth_mac(mac: str, index: int) -> str:
    """Return `mac` plus `index`, colon-separated upper case."""
    value = (int(mac.replace(":", "").replace("-", ""), 16) + index) % (1 << 48)
    digits = f"{value:012X}"
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


async def start_phones(
    config: SimulatorConfig, count: int, host: str = "127.0.0.1", port: int = 8080
) -> list[PhoneSimulator]:
    """Start `count` phones on consecutive ports (port 0: free ones), MACs + 1 each."""
    phones: list[PhoneSimulator] = []
    try:
        for index in range(count):
            sim = PhoneSimulator(
                dataclasses.replace(config, mac=nth_mac(config.mac, index))
            )
            await sim.start(host=host, port=port + index if port else 0)
            phones.append(sim)
    except BaseException:
        await stop_phones(phones)
        raise
    return phones


async def stop_phones(phones: Sequence[PhoneSimulator]) -> None:
    """Stop every phone."""
    for sim in phones:
        await sim.stop()


def describe(sim: PhoneSimulator) -> str:
    """Return one line naming a phone: profile, URL, logins and control URL."""
    config = sim.config
    passcode = (
        f"  passcode={config.passcode} (or {config.user_passcode})"
        if sim.profile.passcode_cti
        else "  no passcode API"
    )
    return (
        f"{sim.profile.name} {sim.phone.model} {sim.phone.firmware} {config.mac}"
        f" at {sim.url}  login {config.admin_username}/{config.passcode}"
        f" or {config.user_username}/{config.user_passcode}{passcode}"
        f"  control: {sim.url}/sim/\n"
    )


async def serve(args: argparse.Namespace) -> None:
    """Run phones until interrupted."""
    phones = await start_phones(
        config_from_args(args), args.phones, args.host, args.port
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        for sim in phones:
            sys.stdout.write(describe(sim))
        sys.stdout.write("Ctrl-C to stop.\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await stop_phones(phones)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m simulator`."""
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0
