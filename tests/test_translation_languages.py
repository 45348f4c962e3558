"""Translations into other languages: every key of strings.json, same placeholders.

strings.json is the English source. Each translations/<lang>.json must have
exactly its keys (a key added to strings.json fails here until every language
has it), the same {placeholders} in every text, no empty text and no
[%key:...%] reference left (Home Assistant resolves those only in English).
"""

from __future__ import annotations

from importlib.machinery import SourceFileLoader
import importlib.util
import json
from pathlib import Path
import string
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "grandstream_cti"
TRANSLATIONS = INTEGRATION / "translations"
LANGUAGES = ("de", "fr", "nl", "es", "it", "sv")


def _english() -> dict[tuple[str, ...], str]:
    """Return strings.json with its references resolved, as the script does."""
    path = str(ROOT / "scripts" / "translations")
    spec = importlib.util.spec_from_loader(
        "translations_script", SourceFileLoader("translations_script", path)
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return _leaves(module.build())


def _leaves(node: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(node, dict):
        return {
            leaf: text
            for key, value in node.items()
            for leaf, text in _leaves(value, (*path, key)).items()
        }
    return {path: node}


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"duplicate keys: {duplicates}"
    return dict(pairs)


def _load(language: str) -> dict[tuple[str, ...], Any]:
    text = (TRANSLATIONS / f"{language}.json").read_text("utf-8")
    return _leaves(json.loads(text, object_pairs_hook=_no_duplicates))


def _placeholders(text: str) -> set[str]:
    return {
        field for _, field, _, _ in string.Formatter().parse(text) if field is not None
    }


def _languages() -> list[str]:
    """The required languages and any other translation file there is."""
    present = {path.stem for path in TRANSLATIONS.glob("*.json")} - {"en"}
    return sorted(present | set(LANGUAGES))


@pytest.fixture(scope="module")
def english() -> dict[tuple[str, ...], str]:
    return _english()


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_file_exists(language: str) -> None:
    assert (TRANSLATIONS / f"{language}.json").is_file(), language


@pytest.mark.parametrize("language", _languages())
def test_language_has_every_key_and_no_other(
    language: str, english: dict[tuple[str, ...], str]
) -> None:
    translated = _load(language)
    missing = sorted("::".join(path) for path in set(english) - set(translated))
    extra = sorted("::".join(path) for path in set(translated) - set(english))
    assert not missing, f"{language}.json lacks {missing}"
    assert not extra, f"{language}.json has keys strings.json does not: {extra}"


@pytest.mark.parametrize("language", _languages())
def test_language_texts_keep_placeholders(
    language: str, english: dict[tuple[str, ...], str]
) -> None:
    translated = _load(language)
    for path, text in translated.items():
        where = f"{language}.json {'::'.join(path)}"
        assert isinstance(text, str), where
        assert text.strip(), f"{where} is empty"
        assert "[%key:" not in text, f"{where} has a reference"
        if path in english:
            assert _placeholders(text) == _placeholders(english[path]), where
