"""The manifest, hacs.json and brand images follow the rules hassfest and HACS apply."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from PIL import Image
import pytest

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "grandstream_cti"

MANIFEST_KEYS = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "dependencies",
    "dhcp",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "loggers",
    "requirements",
    "version",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(name="manifest")
def manifest_fixture() -> dict[str, Any]:
    """Return the parsed manifest."""
    return _json(INTEGRATION / "manifest.json")


def test_manifest_identity(manifest: dict[str, Any]) -> None:
    """Domain and name, and not a domain somebody else uses."""
    assert manifest["domain"] == "grandstream_cti" == INTEGRATION.name
    assert manifest["name"] == "Grandstream IP Phone"
    assert manifest["domain"] not in {"grandstream_phone", "grandstream_home"}


def test_manifest_key_order(manifest: dict[str, Any]) -> None:
    """domain, name, then the rest alphabetically; no unknown keys."""
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert set(keys) <= MANIFEST_KEYS
    assert MANIFEST_KEYS - {"dhcp"} <= set(keys)


def test_manifest_values(manifest: dict[str, Any]) -> None:
    """Values hassfest checks for a custom integration."""
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "device"
    assert manifest["iot_class"] in {"local_polling", "local_push"}
    assert manifest["requirements"] == ["getmac==0.9.5"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["loggers"]
    macs = {matcher["macaddress"] for matcher in manifest["dhcp"]}
    assert "000B82*" in macs


def test_hacs_json() -> None:
    """HACS metadata: our floor version and only keys HACS defines."""
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == "Grandstream IP Phone"
    assert hacs["homeassistant"] == "2025.4.0"
    assert set(hacs) <= HACS_KEYS


@pytest.mark.parametrize(
    ("name", "size"),
    [("icon.png", (256, 256)), ("icon@2x.png", (512, 512))],
)
def test_brand_icons(name: str, size: tuple[int, int]) -> None:
    """Brand icons exist in the sizes Home Assistant serves."""
    with Image.open(INTEGRATION / "brand" / name) as image:
        assert image.size == size
        assert image.format == "PNG"


def test_brand_logo() -> None:
    """A logo exists."""
    with Image.open(INTEGRATION / "brand" / "logo.png") as image:
        assert image.format == "PNG"


def _anchors(markdown: str) -> set[str]:
    """Return GitHub's anchors for the Markdown headings."""
    anchors = set()
    for line in markdown.splitlines():
        if match := re.match(r"#{1,6} (.+)", line):
            slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            anchors.add(slug.replace(" ", "-"))
    return anchors


def test_links_to_the_readme_exist() -> None:
    """Every README link the integration hands out (repair issues) has its heading."""
    const = (INTEGRATION / "const.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\{DOCS_URL\}#([\w-]+)", const))
    assert used
    assert used <= _anchors(readme)
    # And the README's own table of contents.
    assert set(re.findall(r"\]\(#([\w-]+)\)", readme)) <= _anchors(readme)


def test_changelog_starts_with_the_manifest_version(manifest: dict[str, Any]) -> None:
    """The changelog's newest entry is the version the manifest declares."""
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\d+\.\d+\.\d+)", changelog, re.MULTILINE)
    assert first is not None
    assert first.group(1) == manifest["version"]


def test_readme_offers_every_blueprint() -> None:
    """Each blueprint file has its import link in the README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blueprints = sorted(
        (ROOT / "blueprints" / "automation" / "grandstream_cti").glob("*.yaml")
    )
    assert blueprints
    for path in blueprints:
        assert f"grandstream_cti%2F{path.name})" in readme
