"""scripts/develop's configuration folder, its log filter and the demo dashboard.

Nothing here starts Home Assistant or a simulator: the configuration is written
by scripts/develop_config.py (what scripts/develop calls) or by
`scripts/develop --write-config-only`, and read back with Home Assistant's own
YAML loader, which resolves the includes as Home Assistant would.
"""

from __future__ import annotations

from collections.abc import Iterator
import importlib.util
import io
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
from types import ModuleType
from typing import Any

import homeassistant.components.default_config
from homeassistant.util.yaml import load_yaml
import pytest

from custom_components.grandstream_cti.commands import CALL_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
INTEGRATION = ROOT / "custom_components" / "grandstream_cti"

# configuration.yaml exactly as scripts/develop wrote it before it had the
# includes (0.2.0): folders from then must get them.
OLD_CONFIGURATION = """\
default_config:

http:
  server_host: 127.0.0.1
  server_port: 8123

logger:
  default: info
  logs:
    custom_components.grandstream_cti: debug
"""
# An automation made from a blueprint in the UI then: saved, never loaded.
SAVED_AUTOMATION = """\
- id: '1733300000000'
  alias: Announce the caller
  use_blueprint:
    path: grandstream_cti/announce_caller.yaml
    input:
      phone: 0123456789abcdef
"""


def _load(name: str) -> ModuleType:
    """Import a script from scripts/ (not a package) by its path."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(name="develop", scope="module")
def develop_fixture() -> Iterator[ModuleType]:
    """Return scripts/develop_config.py as a module."""
    yield _load("develop_config")
    sys.modules.pop("develop_config", None)


@pytest.fixture(name="demo_setup", scope="module")
def demo_setup_fixture() -> Iterator[ModuleType]:
    """Return scripts/demo_setup.py as a module."""
    yield _load("demo_setup")
    sys.modules.pop("demo_setup", None)


def _yaml(path: Path) -> Any:
    return load_yaml(str(path))


def _assert_includes_load(config: Path) -> dict[str, Any]:
    """The includes are there, their files exist, and Home Assistant loads them."""
    text = (config / "configuration.yaml").read_text(encoding="utf-8")
    for line in (
        "automation: !include automations.yaml",
        "script: !include scripts.yaml",
        "scene: !include scenes.yaml",
    ):
        assert text.count(f"\n{line}\n") == 1, line
    for name in ("automations.yaml", "scripts.yaml", "scenes.yaml"):
        assert (config / name).is_file(), name
    loaded: dict[str, Any] = _yaml(config / "configuration.yaml")
    # default_config (configurations from before), or its parts but go2rtc.
    assert "default_config" in loaded or {"history", "webhook"} <= set(loaded)
    assert isinstance(loaded["automation"], list)
    return loaded


def test_new_configuration(develop: ModuleType, tmp_path: Path) -> None:
    config = tmp_path / "config"
    notes = develop.write_config(config, 18123)
    loaded = _assert_includes_load(config)
    # default_config's parts, but go2rtc (no binary in a pip install: the
    # whole default_config would fail and show "Invalid config").
    manifest = Path(homeassistant.components.default_config.__file__).with_name(
        "manifest.json"
    )
    parts = set(json.loads(manifest.read_text(encoding="utf-8"))["dependencies"])
    # Newer parts are left out: the floor tier would not know them.
    assert set(loaded) & parts == {
        "assist_pipeline",
        "bluetooth",
        "cloud",
        "conversation",
        "dhcp",
        "energy",
        "history",
        "homeassistant_alerts",
        "logbook",
        "media_source",
        "mobile_app",
        "my",
        "ssdp",
        "stream",
        "sun",
        "usb",
        "webhook",
        "zeroconf",
    }
    assert "default_config" not in loaded
    assert loaded["automation"] == []
    assert loaded["http"] == {"server_host": "127.0.0.1", "server_port": 18123}
    assert loaded["logger"]["logs"] == {"custom_components.grandstream_cti": "debug"}
    # As Home Assistant's own default configuration writes them.
    assert (config / "automations.yaml").read_text(encoding="utf-8") == "[]\n"
    assert (config / "scripts.yaml").read_text(encoding="utf-8") == ""
    assert (config / "scenes.yaml").read_text(encoding="utf-8") == ""
    link = config / "custom_components" / "grandstream_cti"
    assert link.is_symlink()
    assert not os.path.isabs(os.readlink(link))
    assert link.resolve() == INTEGRATION
    assert notes == [
        f"wrote {config / 'configuration.yaml'} (Home Assistant on 127.0.0.1:18123)"
    ]


def test_rewriting_changes_nothing(develop: ModuleType, tmp_path: Path) -> None:
    config = tmp_path / "config"
    develop.write_config(config, 8123)
    files = {
        path.name: path.read_bytes() for path in config.iterdir() if path.is_file()
    }
    assert develop.write_config(config, 8123) == []
    assert {
        path.name: path.read_bytes() for path in config.iterdir() if path.is_file()
    } == files


def test_old_configuration_gets_the_includes(
    develop: ModuleType, tmp_path: Path
) -> None:
    """A folder from an older run keeps its content and its saved automation."""
    config = tmp_path / "config"
    config.mkdir()
    mine = (
        OLD_CONFIGURATION
        + "\nsensor:\n  - platform: time_date\n    display_options:\n      - time"
    )
    (config / "configuration.yaml").write_text(mine, encoding="utf-8")
    (config / "automations.yaml").write_text(SAVED_AUTOMATION, encoding="utf-8")
    (config / "scenes.yaml").write_text("- name: Evening\n  entities: {}\n")

    notes = develop.write_config(config, 8123)

    text = (config / "configuration.yaml").read_text(encoding="utf-8")
    assert text.startswith(mine + "\n")  # nothing of it lost or moved
    loaded = _assert_includes_load(config)
    assert loaded["sensor"] == [{"platform": "time_date", "display_options": ["time"]}]
    assert loaded["http"]["server_port"] == 8123
    # The automation made in the UI loads now; the user's files stay as they were.
    assert [a["alias"] for a in loaded["automation"]] == ["Announce the caller"]
    assert (config / "automations.yaml").read_text(encoding="utf-8") == SAVED_AUTOMATION
    assert loaded["scene"] == [{"name": "Evening", "entities": {}}]
    assert (config / "scripts.yaml").read_text(encoding="utf-8") == ""
    assert len(notes) == 1
    assert "added automation: !include automations.yaml" in notes[0]
    # Once added, they are not added again.
    assert develop.write_config(config, 8123) == []


def test_old_configuration_new_port(develop: ModuleType, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text(OLD_CONFIGURATION, encoding="utf-8")
    notes = develop.write_config(config, 18123)
    loaded = _assert_includes_load(config)
    assert loaded["http"]["server_port"] == 18123
    assert any("server_port 8123 -> 18123" in note for note in notes)


def test_only_missing_includes_are_added(develop: ModuleType, tmp_path: Path) -> None:
    """A key the user has in another form is left alone, with a warning."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text(
        OLD_CONFIGURATION
        + "\nscript: !include scripts.yaml\n"
        + "automation manual:\n  - alias: Mine\n    triggers: []\n    actions: []\n",
        encoding="utf-8",
    )
    notes = develop.write_config(config, 8123)
    text = (config / "configuration.yaml").read_text(encoding="utf-8")
    assert text.count("script:") == 1
    assert "automation: !include automations.yaml" not in text
    assert text.endswith("\nscene: !include scenes.yaml\n")
    assert any(
        "WARNING" in note and "automation: without automations.yaml" in note
        for note in notes
    )
    loaded = _yaml(config / "configuration.yaml")
    assert loaded["scene"] == {}
    assert [a["alias"] for a in loaded["automation manual"]] == ["Mine"]


def test_no_server_port_on_another_port_warns(
    develop: ModuleType, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text("default_config:", encoding="utf-8")
    notes = develop.write_config(config, 18123)
    assert any("sets no http: server_port" in note for note in notes)
    _assert_includes_load(config)


@pytest.fixture(name="checkout")
def checkout_fixture(tmp_path: Path) -> Path:
    """Return a copy of the scripts in a checkout of their own (no ./config here)."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    for name in ("develop", "develop_config.py"):
        shutil.copy2(SCRIPTS / name, checkout / "scripts" / name)
    (checkout / "custom_components" / "grandstream_cti").mkdir(parents=True)
    return checkout


def _environ() -> dict[str, str]:
    """Return this environment without pytest-cov's subprocess hooks.

    Started elsewhere, the script's Python would not find our coverage
    configuration and would write line data that cannot join branch data.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}


def _develop(checkout: Path, *args: str, port: int = 18123) -> str:
    """Run `scripts/develop ARGS --write-config-only`; return what it said."""
    env = {**_environ(), "HA_PORT": str(port), "VENV": sys.prefix}
    done = subprocess.run(
        ["bash", str(checkout / "scripts" / "develop"), *args, "--write-config-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    return done.stderr


@pytest.mark.parametrize(
    ("args", "folder"), [((), "config"), (("--demo",), "config-demo")]
)
def test_develop_writes_the_configuration(
    checkout: Path, args: tuple[str, ...], folder: str
) -> None:
    """The plain and the demo configuration, as scripts/develop writes them."""
    said = _develop(checkout, *args)
    config = checkout / folder
    loaded = _assert_includes_load(config)
    assert loaded["http"]["server_port"] == 18123
    assert (config / "custom_components" / "grandstream_cti").resolve() == (
        checkout / "custom_components" / "grandstream_cti"
    )
    assert os.readlink(config / "custom_components" / "grandstream_cti") == (
        "../../custom_components/grandstream_cti"
    )
    assert said == (
        f"scripts/develop: wrote ./{folder}/configuration.yaml "
        "(Home Assistant on 127.0.0.1:18123)\n"
    )


@pytest.mark.parametrize("args", [(), ("--demo",)])
def test_develop_updates_an_old_configuration(
    checkout: Path, args: tuple[str, ...]
) -> None:
    folder = checkout / ("config-demo" if args else "config")
    folder.mkdir()
    (folder / "configuration.yaml").write_text(OLD_CONFIGURATION, encoding="utf-8")
    (folder / "automations.yaml").write_text(SAVED_AUTOMATION, encoding="utf-8")
    said = _develop(checkout, *args, port=8123)
    assert "added automation: !include automations.yaml" in said
    text = (folder / "configuration.yaml").read_text(encoding="utf-8")
    assert text.startswith(OLD_CONFIGURATION)
    loaded = _assert_includes_load(folder)
    assert [a["alias"] for a in loaded["automation"]] == ["Announce the caller"]


def test_develop_config_folder_option(checkout: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _develop(checkout, "--config", str(elsewhere))
    _assert_includes_load(elsewhere)
    assert not (checkout / "config").exists()


def test_develop_reset_keeps_a_folder_that_is_no_configuration(
    checkout: Path, tmp_path: Path
) -> None:
    """--reset deletes a configuration folder, never some other folder."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    done = subprocess.run(
        [
            "bash",
            str(checkout / "scripts" / "develop"),
            "--config",
            str(other),
            "--reset",
            "--write-config-only",
        ],
        env={**_environ(), "VENV": sys.prefix},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "not deleting" in done.stderr
    assert (other / "keep.txt").read_text(encoding="utf-8") == "mine"


CONSOLE = """\
Unable to find configuration. Creating default one in /tmp/x
2025-04-30 12:00:00.001 INFO (MainThread) [homeassistant.bootstrap] Config directory: /tmp/x
2025-04-30 12:00:00.002 WARNING (SyncWorker_0) [homeassistant.loader] We found a custom integration grandstream_cti which has not been tested by Home Assistant. This component might cause stability problems, be sure to disable it if you experience issues with Home Assistant
2025-04-30 12:00:00.003 DEBUG (MainThread) [custom_components.grandstream_cti] polling
2025-04-30 12:00:00.004 ERROR (MainThread) [homeassistant.setup] Error during setup of component go2rtc
Traceback (most recent call last):
  File "x.py", line 1, in <module>
OSError: no go2rtc
2025-04-30 12:00:00.005 INFO (MainThread) [homeassistant.core] Starting Home Assistant
\x1b[33m2025-04-30 12:00:00.006 WARNING (MainThread) [homeassistant.helpers.frame] Detected code\x1b[0m
2025-04-30 12:00:00.007 DEBUG (MainThread) [custom_components.grandstream_cti] Traceback-like
  continuation of a debug line
"""


def test_filter_log_shows_warnings_and_errors(develop: ModuleType) -> None:
    """A line per warning and error; tracebacks, debug and info stay in the log."""
    out = io.StringIO()
    develop.filter_log(io.StringIO(CONSOLE), out, "config/home-assistant.log")
    assert out.getvalue().splitlines() == [
        "hass: Unable to find configuration. Creating default one in /tmp/x",
        (
            "hass: 2025-04-30 12:00:00.004 ERROR (MainThread) [homeassistant.setup] "
            "Error during setup of component go2rtc"
        ),
        "hass:     OSError: no go2rtc  (all 3 lines in config/home-assistant.log)",
        (
            "hass: 2025-04-30 12:00:00.006 WARNING (MainThread) "
            "[homeassistant.helpers.frame] Detected code"
        ),
    ]


def test_filter_log_ends_the_last_record(develop: ModuleType) -> None:
    out = io.StringIO()
    develop.filter_log(
        io.StringIO(
            "2025-04-30 12:00:00.004 ERROR (MainThread) [x] Uncaught exception\n"
            "Traceback (most recent call last):\n"
            "  File ...\n"
            "KeyError: 'a'\n"
            "2025-04-30 12:00:00.005 WARNING (MainThread) [x] two\n"
            "lines\n"
        ),
        out,
    )
    assert out.getvalue().splitlines() == [
        "hass: 2025-04-30 12:00:00.004 ERROR (MainThread) [x] Uncaught exception",
        "hass:     KeyError: 'a'  (all 3 lines in home-assistant.log)",
        "hass: 2025-04-30 12:00:00.005 WARNING (MainThread) [x] two",
        "hass:     lines",
    ]


def test_demo_dashboard_has_every_call_button(demo_setup: ModuleType) -> None:
    """Each call command's button has its tile on the demo dashboard."""
    keys = {key for (domain, key) in demo_setup._ENTITY_KEYS if domain == "button"}
    assert set(CALL_COMMANDS) <= keys
    fields = {key: demo_setup._ENTITY_KEYS["button", key] for key in CALL_COMMANDS}
    entities = demo_setup.PhoneEntities(
        title="GRP2614",
        handset=False,
        **{field: f"button.grp2614_{key}" for key, field in fields.items()},
    )
    section = demo_setup.phone_section(entities)
    pressed = {
        card["tap_action"]["target"]["entity_id"]: card["name"]
        for card in section["cards"]
        if card.get("tap_action", {}).get("perform_action") == "button.press"
    }
    assert pressed == {
        "button.grp2614_accept_call": "Answer",
        "button.grp2614_reject_call": "Reject",
        "button.grp2614_end_call": "End",
        "button.grp2614_hold_call": "Hold / resume",
        "button.grp2614_cancel_call": "Cancel",
    }
