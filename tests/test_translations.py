"""Translations: en.json is strings.json resolved, and every key used exists."""

from __future__ import annotations

from importlib.machinery import SourceFileLoader
import importlib.util
import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "grandstream_cti"


def _load_script() -> Any:
    path = str(ROOT / "scripts" / "translations")
    spec = importlib.util.spec_from_loader(
        "translations_script", SourceFileLoader("translations_script", path)
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _leaves(node: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    if isinstance(node, dict):
        return {
            leaf: text
            for key, value in node.items()
            for leaf, text in _leaves(value, (*path, key)).items()
        }
    return {path: node}


def test_en_json_is_up_to_date() -> None:
    """Run scripts/translations after editing strings.json.

    Our own texts must match exactly; texts borrowed from Home Assistant's
    common strings may be worded differently between its versions.
    """
    strings = _leaves(json.loads((INTEGRATION / "strings.json").read_text("utf-8")))
    written = _leaves(
        json.loads((INTEGRATION / "translations" / "en.json").read_text("utf-8"))
    )
    built = _leaves(_load_script().build())
    assert set(written) == set(strings) == set(built)
    for path, text in strings.items():
        assert "[%key:" not in written[path], path
        if "[%key:common::" not in text:
            assert written[path] == built[path], path


def test_services_have_translations_and_icons() -> None:
    """Every action in services.yaml has a name, fields and an icon."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text("utf-8"))
    strings = json.loads((INTEGRATION / "strings.json").read_text("utf-8"))
    icons = json.loads((INTEGRATION / "icons.json").read_text("utf-8"))
    for name, service in services.items():
        assert strings["services"][name]["name"]
        assert set(service["fields"]) == set(strings["services"][name]["fields"])
        assert icons["services"][name]


def test_every_named_entity_has_an_icon() -> None:
    """Each entity with a translated name has its own icon (none falls back to a generic one)."""
    strings = json.loads((INTEGRATION / "strings.json").read_text("utf-8"))["entity"]
    icons = json.loads((INTEGRATION / "icons.json").read_text("utf-8"))["entity"]
    missing = [
        f"{platform}.{key}"
        for platform, keys in strings.items()
        for key in keys
        if key not in icons.get(platform, {})
    ]
    assert missing == []
    buttons = {key: icon["default"] for key, icon in icons["button"].items()}
    # Two buttons that look alike on the device page would be pressed by mistake.
    assert len(set(buttons.values())) == len(buttons), buttons
