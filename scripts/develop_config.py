#!/usr/bin/env python3
"""What scripts/develop writes into Home Assistant's configuration folder, and shows of its log.

    python scripts/develop_config.py write CONFIG_DIR --port 8123
        Make (or bring up to date) a configuration folder: configuration.yaml with
        the HTTP port, the usual automation/script/scene includes and the files
        they include, and the integration linked into custom_components/. A
        folder from an earlier run keeps everything in it: only what is missing
        is added, and server_port follows --port.

    hass ... 2>&1 | python scripts/develop_config.py filter-log [--log-file PATH]
        Echo Home Assistant's warnings and errors, a line each (and anything it
        prints before its logging starts); debug and info lines and tracebacks
        stay in its log file only.

Standard library only: scripts/develop runs it before Home Assistant, and the
tests import it without starting Home Assistant.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass
import os
from pathlib import Path
import re
import signal
import sys
from typing import Final, TextIO

ROOT: Final = Path(__file__).resolve().parent.parent
INTEGRATION: Final = ROOT / "custom_components" / "grandstream_cti"
DEFAULT_PORT: Final = 8123
LOG_FILE: Final = "home-assistant.log"


@dataclass(frozen=True)
class Include:
    """A top-level key whose UI-made items live in a file of their own."""

    domain: str  # automation, script, scene
    filename: str  # automations.yaml, ...
    empty: str  # what Home Assistant's own default writes into a new one

    @property
    def line(self) -> str:
        """Return the configuration line that loads the file."""
        return f"{self.domain}: !include {self.filename}"


# As Home Assistant's own default configuration has them: what the UI saves
# (automations, e.g. from a blueprint; scripts; scenes) goes into these files,
# and is loaded only through these lines.
INCLUDES: Final = (
    Include("automation", "automations.yaml", "[]\n"),
    Include("script", "scripts.yaml", ""),
    Include("scene", "scenes.yaml", ""),
)

CONFIGURATION: Final = """\
# Written by scripts/develop. Yours to edit: later runs only add what is missing
# (the includes below) and keep server_port equal to HA_PORT.
#
# Home Assistant's default_config, without go2rtc: camera streaming needs a
# go2rtc binary that a pip-installed Home Assistant lacks, and without it the
# whole of default_config fails ("Invalid config" at every start).
assist_pipeline:
bluetooth:
cloud:
conversation:
dhcp:
energy:
history:
homeassistant_alerts:
logbook:
media_source:
mobile_app:
my:
ssdp:
stream:
sun:
usb:
webhook:
zeroconf:

# What the UI makes (automations, e.g. from the blueprints; scripts; scenes).
{includes}

http:
  server_host: 127.0.0.1
  server_port: {port}

# Home Assistant logs to {log_file} in this folder; scripts/develop echoes
# only warnings and errors to the terminal.
logger:
  default: info
  logs:
    custom_components.grandstream_cti: debug
"""

_PORT_LINE: Final = re.compile(
    r"^([ \t]+server_port:[ \t]*)(\d+)([ \t]*)$", re.MULTILINE
)


def _top_level_key(domain: str) -> re.Pattern[str]:
    """Match a top-level `domain:` (or `domain label:`) key."""
    return re.compile(rf"^{re.escape(domain)}(?:[ \t]+[^:#\n]*)?:", re.MULTILINE)


def _shown(path: Path) -> str:
    """Return a path relative to the current folder where it is inside it."""
    try:
        return f"./{path.resolve().relative_to(Path.cwd().resolve())}"
    except ValueError:
        return str(path)


def new_configuration(port: int) -> str:
    """Return configuration.yaml for a new folder."""
    return CONFIGURATION.format(
        includes="\n".join(include.line for include in INCLUDES),
        port=port,
        log_file=LOG_FILE,
    )


def add_includes(text: str) -> tuple[str, list[Include], list[Include]]:
    """Add the missing include lines to a configuration.

    Return the new text, the includes added, and those whose key the
    configuration already has in another form (left alone: a second key of
    the same name would be a YAML error).
    """
    added: list[Include] = []
    other: list[Include] = []
    for include in INCLUDES:
        if not _top_level_key(include.domain).search(text):
            added.append(include)
        elif include.filename not in text:
            other.append(include)
    if added:
        if text and not text.endswith("\n"):
            text += "\n"
        text += (
            "\n# Added by scripts/develop: what the UI makes (automations, e.g. from\n"
            "# the blueprints; scripts; scenes) is saved to these files and loaded\n"
            "# only through these lines.\n"
        )
        text += "".join(f"{include.line}\n" for include in added)
    return text, added, other


def set_port(text: str, port: int) -> tuple[str, int | None]:
    """Set the first `server_port:` to port; return the text and the old port."""
    match = _PORT_LINE.search(text)
    if match is None:
        return text, None
    old = int(match.group(2))
    if old != port:
        text = f"{text[: match.start(2)]}{port}{text[match.end(2) :]}"
    return text, old


def _link_integration(config: Path, integration: Path) -> list[str]:
    """Link the integration into custom_components/ (relative, so folders can move)."""
    folder = config / "custom_components"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / integration.name
    target = os.path.relpath(integration.resolve(), folder.resolve())
    if link.is_symlink():
        if os.readlink(link) == target:
            return []
        link.unlink()
    elif link.exists():
        return [
            (
                f"WARNING: {_shown(link)} is a folder of its own, not a link to "
                f"{_shown(integration)}: Home Assistant runs that copy"
            )
        ]
    link.symlink_to(target, target_is_directory=True)
    return []


def write_config(
    config: Path, port: int = DEFAULT_PORT, integration: Path = INTEGRATION
) -> list[str]:
    """Make or update a configuration folder; return what to tell the user."""
    notes: list[str] = []
    config.mkdir(parents=True, exist_ok=True)
    notes += _link_integration(config, integration)
    path = config / "configuration.yaml"
    shown = _shown(path)
    if not path.exists():
        path.write_text(new_configuration(port), encoding="utf-8")
        notes.append(f"wrote {shown} (Home Assistant on 127.0.0.1:{port})")
    else:
        text = before = path.read_text(encoding="utf-8")
        text, old_port = set_port(text, port)
        if old_port is None and port != DEFAULT_PORT:
            notes.append(
                f"WARNING: {shown} sets no http: server_port, so Home Assistant "
                f"listens on {DEFAULT_PORT}, not {port}; add 'server_port: {port}' "
                "under http: (or start afresh with --reset)"
            )
        elif old_port is not None and old_port != port:
            notes.append(f"{shown}: server_port {old_port} -> {port} (HA_PORT)")
        text, added, other = add_includes(text)
        if added:
            notes.append(
                f"{shown}: added {', '.join(i.line for i in added)} (what the UI "
                "makes, e.g. automations from the blueprints, loads only with these)"
            )
        notes.extend(
            f"WARNING: {shown} has its own {include.domain}: without "
            f"{include.filename}, so {include.domain}s made in the UI will not load"
            for include in other
        )
        if text != before:
            path.write_text(text, encoding="utf-8")
    for include in INCLUDES:
        included = config / include.filename
        if not included.exists():
            included.write_text(include.empty, encoding="utf-8")
    return notes


# Home Assistant's console lines: "2025-04-30 12:00:00.123 WARNING (MainThread) [name] ...".
_RECORD: Final = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)? (?P<level>[A-Z]+) "
)
_COLOR: Final = re.compile(r"\x1b\[[0-9;]*m")
# The line of a traceback that says what went wrong: "OSError: no such file".
_EXCEPTION: Final = re.compile(r"^[A-Za-z_][\w.]*(?::|$)")
SHOWN_LEVELS: Final = frozenset({"WARNING", "ERROR", "CRITICAL", "FATAL"})
# Warnings every start has, about this very setup: not worth a line each time.
EXPECTED: Final = (
    # The integration under development is a custom one, by definition.
    "We found a custom integration grandstream_cti which has not been tested",
)
PREFIX: Final = "hass: "


class LogFilter:
    """Home Assistant's console output, cut down to a line per warning or error.

    A record's further lines (a traceback) are left to the log file: the
    terminal gets the line that says what went wrong, once the record has
    ended (when the next one starts). Lines before the first record (Home
    Assistant printing before its logging starts) are all shown.
    """

    def __init__(
        self, out: TextIO, log_file: str = LOG_FILE, prefix: str = PREFIX
    ) -> None:
        """Write to out; name log_file where the rest is."""
        self._out = out
        self._log_file = log_file
        self._prefix = prefix
        self._started = False  # a record was seen
        self._show = True  # the current record is shown
        self._more = 0  # its further lines, not shown
        self._summary = ""  # the one of them that says what went wrong
        self._last = ""  # the last of them

    def _write(self, line: str) -> None:
        self._out.write(f"{self._prefix}{line}\n")
        self._out.flush()

    def _end_record(self) -> None:
        if self._show and self._more == 1:
            self._write(f"    {self._last}")
        elif self._show and self._more:
            what = f"{self._summary}  " if self._summary else ""
            self._write(f"    {what}(all {self._more} lines in {self._log_file})")
        self._more = 0
        self._summary = self._last = ""

    def line(self, raw: str) -> None:
        """Take one line of the console output."""
        line = _COLOR.sub("", raw).rstrip()
        if match := _RECORD.match(line):
            self._end_record()
            self._started = True
            self._show = match.group("level") in SHOWN_LEVELS and not any(
                expected in line for expected in EXPECTED
            )
            if self._show:
                self._write(line)
        elif not self._started:
            self._write(line)
        elif self._show:
            self._more += 1
            self._last = line
            if _EXCEPTION.match(line) and not line.startswith("Traceback "):
                self._summary = line

    def close(self) -> None:
        """End the last record."""
        self._end_record()


def filter_log(
    lines: Iterable[str], out: TextIO, log_file: str = LOG_FILE, prefix: str = PREFIX
) -> None:
    """Filter Home Assistant's console output (see LogFilter) to out."""
    log_filter = LogFilter(out, log_file, prefix)
    for line in lines:
        log_filter.line(line)
    log_filter.close()


def _stdin_lines() -> Iterable[str]:
    """Yield standard input's lines as they come, whatever their encoding."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    """Run one of the commands."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="make or update a configuration folder")
    write.add_argument("config", type=Path)
    write.add_argument("--port", type=int, default=DEFAULT_PORT)
    filter_cmd = commands.add_parser(
        "filter-log", help="echo Home Assistant's warnings and errors"
    )
    filter_cmd.add_argument(
        "--log-file", default=LOG_FILE, help="where the whole log is (named)"
    )
    args = parser.parse_args(argv)
    if args.command == "write":
        for note in write_config(args.config, args.port):
            print(f"scripts/develop: {note}", file=sys.stderr)
        return 0
    # Ctrl-C stops Home Assistant, whose last lines (why it stopped) still
    # come through here: this ends when they are read.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    filter_log(_stdin_lines(), sys.stdout, args.log_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
