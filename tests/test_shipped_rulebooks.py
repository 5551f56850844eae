"""The rulebooks of the shipped rule sets, part of the documentation site, are up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

import cchc_rules
from cchc_rules.render.rulebook import rulebook
from tests.conftest import ROOT

SHIPPED = sorted((ROOT / "rules").rglob("*.cchc"))


def page_for(rules: Path) -> Path:
    """docs/rulebook/<province>-<level>-<year>.md for rules/<province>/<level>/<year>.cchc."""
    return ROOT / "docs" / "rulebook" / ("-".join(rules.relative_to(ROOT / "rules").with_suffix("").parts) + ".md")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_rulebook_page_matches_the_rule_set(path: Path) -> None:
    expected = rulebook(cchc_rules.load(path).checked)
    page = page_for(path)
    assert page.exists(), f"missing {page}: run `cchc docs {path.relative_to(ROOT)} -o docs/rulebook` and rename"
    assert page.read_text(encoding="utf-8") == expected, (
        f"{page.relative_to(ROOT)} is out of date: regenerate it with `cchc docs {path.relative_to(ROOT)}`"
    )
