"""Packaging: the wheel carries the grammar, and the README's demo command works from a clean copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (found,) = out.glob("cchc_rules-*.whl")
    return found


def test_wheel_contains_the_grammar(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "cchc_rules/grammar/cchc.lark" in names
    assert "cchc_rules/py.typed" in names  # an analyst's mypy sees the package's types, not Any
    packaged = zipfile.ZipFile(wheel).read("cchc_rules/grammar/cchc.lark")
    assert packaged == (ROOT / "grammar" / "cchc.lark").read_bytes()


def test_installed_wheel_finds_its_grammar_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    rules = tmp_path / "r.cchc"
    shutil.copy(ROOT / "rules" / "hai-duong" / "xa" / "2023.cchc", rules)
    code = (
        "import cchc_rules, cchc_rules.parser as p;"
        "print(cchc_rules.__file__); print(p.grammar_path());"
        f"print(cchc_rules.load({str(rules)!r}).max)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    module_file, grammar, total = run.stdout.split("\n")[:3]
    assert module_file.startswith(str(target))
    assert grammar.startswith(str(target)) and grammar.endswith("cchc_rules/grammar/cchc.lark")
    assert total == "74"


def _git_files() -> list[str]:
    run = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], capture_output=True, text=True, cwd=ROOT)
    return [f for f in run.stdout.splitlines() if f and (ROOT / f).is_file()]


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git")
def test_readme_demo_command_works_from_a_clean_copy(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    copy = tmp_path / "clone"
    for name in _git_files():
        dest = copy / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest)
    run = subprocess.run(
        ["make", "demo", f"PYTHON={sys.executable}"],
        capture_output=True,
        text=True,
        cwd=copy,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Tổng điểm tự đánh giá: 66,245 điểm/74 điểm, đạt 89,52%." in run.stdout
    assert "7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến" in run.stdout
