"""The one-file HTML audit page, rendered in real headless Chromium."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FACTS_THANH_THUY, RULES_2023
from tests.test_cli import cchc

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "kiem-tra.html"
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "html", "-o", out)
    assert run.returncode == 0, run.stderr
    return out


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "<style>" in text and "<script>" in text
    for remote in ("http://", "https://", "<link", 'src="'):
        assert remote not in text
    assert 'id="node-7.2.2"' in text and "Tổng điểm: 66,245 điểm/74 điểm, đạt 89,52%" in text


def test_a_tiers_rows_are_lines_of_their_own(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "code.formula{white-space:pre-wrap}" in text  # the newlines below are shown
    assert '<code class="formula">score = tier ty_le_lien_thong\n  when &gt;= 100%: max\n  when from 75%' in text


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by .ci/run (Debian package chromium)")
def test_opening_7_2_2_shows_its_facts_in_chromium(page: Path, tmp_path: Path) -> None:
    run = _chromium(["--virtual-time-budget=3000", "--dump-dom", f"{page.as_uri()}#node-7.2.2"], tmp_path / "p1")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    start = dom.index('<details id="node-7.2.2"')
    opening = dom[start : dom.index(">", start)]
    assert "open" in opening  # the page opened the node named in the address
    node = dom[start : dom.index("</details>", start)]
    lines = RULES_2023.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("7.2.2 "))
    for expected in (
        "ho_so_truc_tuyen_den_31_10",
        "1340 hồ sơ",
        "1754 hồ sơ",
        "score = max * ratio(",
        f"2023.cchc:{line}",
    ):
        assert expected in node
    # its ancestors are open too, the other areas are not
    assert '<details id="node-7" class="lost" open=""' in dom
    assert '<details id="node-2">' in dom


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is installed by .ci/run (Debian package chromium)")
def test_screenshot_of_the_page(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "trang.png"
    run = _chromium(["--window-size=1280,1600", f"--screenshot={shot}", f"{page.as_uri()}#node-7.2.2"], tmp_path / "p2")
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 50_000  # a rendered page, not a blank one


def test_with_appraisal_rounds_the_page_names_its_round_and_shows_every_round(tmp_path: Path) -> None:
    appraisal = FACTS_THANH_THUY.parent / "tham-dinh.yaml"
    out = tmp_path / "vong.html"
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, appraisal, "--format", "html", "-o", out)
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "<th>Tự đánh giá</th><th>Thẩm định vòng 1</th><th>Thẩm định vòng 2</th>" in text
    assert (
        "<tr><th>Tổng</th><td class=n>74</td><td class=n>66,245</td><td class=n>65,676</td><td class=n>66,176</td>"
        in text
    )
    assert "của vòng cuối: <b>Thẩm định vòng 2</b>" in text and "Tổng điểm: 66,176 điểm/74 điểm" in text
    # each round's percentage, and the appraisers' notes, which the page once left out
    assert "<tr><td>Tỷ lệ đạt</td><td></td><td class=n>89,52%</td><td class=n>88,75%</td>" in text
    assert "<h3>Ghi chú của các vòng</h3>" in text
    assert "<li><b>Thẩm định vòng 1</b>, 7.2.2 Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến: Số liệu của xã chưa khớp" in text
    one = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "html").stdout
    assert "Các vòng" not in one  # one round: the page as before
