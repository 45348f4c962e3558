"""The release workflow, hacs.json and the changelog agree on what a release is."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


@pytest.fixture(name="workflow")
def workflow_fixture() -> dict[Any, Any]:
    """Return the parsed release workflow."""
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _run(workflow: dict[Any, Any]) -> str:
    """Return the shell of every step, one after the other."""
    return "\n".join(
        step.get("run", "")
        for job in workflow["jobs"].values()
        for step in job["steps"]
    )


def test_hacs_downloads_the_zip_the_workflow_attaches(
    workflow: dict[Any, Any],
) -> None:
    hacs = _json(ROOT / "hacs.json")
    assert hacs["zip_release"] is True
    assert hacs["filename"] == workflow["env"]["ASSET"] == "grandstream_cti.zip"
    run = _run(workflow)
    # Zipped from inside the integration's folder: its files at the zip's root.
    assert "cd custom_components/grandstream_cti\n" in run
    assert 'zip -r -X -q "$GITHUB_WORKSPACE/$ASSET" .' in run
    assert 'gh release upload "$GITHUB_REF_NAME" "$ASSET"' in run
    assert 'gh release create "$GITHUB_REF_NAME" "$ASSET"' in run


def test_workflow_runs_on_version_tags_only(workflow: dict[Any, Any]) -> None:
    # PyYAML reads the key `on` as True.
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "write"}


def test_actions_are_pinned_by_major_version(workflow: dict[Any, Any]) -> None:
    uses = [
        step["uses"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    ]
    assert uses
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", action) for action in uses)


def test_manifest_version_has_a_changelog_entry() -> None:
    """What the workflow checks before it releases the manifest's version."""
    version = _json(ROOT / "custom_components" / "grandstream_cti" / "manifest.json")[
        "version"
    ]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)}( |$)", changelog, re.MULTILINE)
