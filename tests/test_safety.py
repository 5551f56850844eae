"""Safety: no code from input ever runs, files are written atomically, nothing leaves the rules folder,
and the same inputs give the same bytes.

These tests read the package's own source: a change that adds `eval`, an
unsafe YAML loader or a write that bypasses `output.write_atomic` fails here.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cchc_rules
from cchc_rules.errors import CchcError, RuleLoadError
from cchc_rules.loader import load_source
from cchc_rules.output import write_atomic
from tests.conftest import FACTS_THANH_THUY, ROOT, RULES_2023

PACKAGE = ROOT / "cchc_rules"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call]]:
    """Every call with the dotted name it is made through (`eval`, `yaml.load`, `path.write_text`...)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            parts = []
            func = node.func
            while isinstance(func, ast.Attribute):
                parts.append(func.attr)
                func = func.value
            if isinstance(func, ast.Name):
                parts.append(func.id)
            out.append((".".join(reversed(parts)), node))
    return out


@pytest.fixture(scope="module")
def parsed() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in SOURCES}


def test_the_package_is_read(parsed: dict[Path, ast.Module]) -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in parsed}
    assert {"facts.py", "output.py", "parser.py", "evaluator.py"} <= names
    assert any(name.endswith("yaml.SafeLoader") or "safe_load" in name for name in _all_names(parsed))


def _all_names(parsed: dict[Path, ast.Module]) -> set[str]:
    names = {name for tree in parsed.values() for name, _ in _calls(tree)}
    for tree in parsed.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names.add(f"{node.value.id}.{node.attr}")
    return names


def test_no_eval_exec_or_dynamic_code_anywhere(parsed: dict[Path, ast.Module]) -> None:
    banned = {"eval", "exec", "compile", "__import__", "execfile", "pickle.load", "pickle.loads", "marshal.loads"}
    found = [
        f"{path.relative_to(ROOT)}:{call.lineno}: {name}"
        for path, tree in parsed.items()
        for name, call in _calls(tree)
        if name in banned or name.startswith(("os.system", "os.popen", "subprocess."))
    ]
    assert found == []
    imports = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in parsed.items()
        for node in ast.walk(tree)
        if (isinstance(node, ast.Import) and any(a.name in ("pickle", "marshal", "subprocess") for a in node.names))
        or (isinstance(node, ast.ImportFrom) and node.module in ("pickle", "marshal", "subprocess"))
    ]
    assert imports == []


def test_yaml_only_through_safe_loading(parsed: dict[Path, ast.Module]) -> None:
    unsafe = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
    unsafe_loaders = {"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}
    found = []
    for path, tree in parsed.items():
        for node in ast.walk(tree):
            named = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml"
            if named and (node.attr in unsafe or node.attr in unsafe_loaders):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: yaml.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                found.extend(
                    f"{path.relative_to(ROOT)}:{node.lineno}: from yaml import {a.name}"
                    for a in node.names
                    if a.name in unsafe | unsafe_loaders
                )
    assert found == []


def test_a_yaml_tag_never_runs_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        f'doi_thoai: !!python/object/apply:os.system ["touch {marker}"]\n'
        f"co_sang_kien: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ['{marker}']]\n",
        encoding="utf-8",
    )
    with pytest.raises(CchcError, match="không được hỗ trợ"):
        cchc_rules.load(RULES_2023).evaluate(facts)
    assert not marker.exists()


def test_only_output_write_atomic_writes_files(parsed: dict[Path, ast.Module]) -> None:
    writers = {"write_text", "write_bytes", "mkstemp", "replace", "rename", "unlink", "rmtree", "copyfile", "move"}
    found = []
    for path, tree in parsed.items():
        if path.name == "output.py":
            continue
        for name, call in _calls(tree):
            last = name.rsplit(".", 1)[-1]
            if last in writers and not name.startswith(("str.", "text.")) and "." in name:
                if last == "replace" and not name.startswith("os."):
                    continue  # str.replace on a variable
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {name}")
            if last == "open":
                modes = [a.value for a in call.args[1:2] if isinstance(a, ast.Constant)]
                modes += [k.value.value for k in call.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
                if name.endswith("open") and name != "open" and not call.args and not modes:
                    continue  # path.open(): reading
                if any(set(str(m)) & set("wax+") for m in modes):
                    found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {name}({modes[0]!r})")
    assert found == []


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ket-qua.json"
    target.write_text("cũ\n", encoding="utf-8")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(CchcError, match="O002"):
        write_atomic(target, "mới\n")
    assert target.read_text(encoding="utf-8") == "cũ\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ket-qua.json"]


def test_write_atomic_refuses_every_input_and_its_folder(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    rule_file = rules / "2023.cchc"
    rule_file.write_bytes(RULES_2023.read_bytes())
    link = tmp_path / "link.cchc"
    link.symlink_to(rule_file)
    for target, inputs in ((rule_file, [rule_file]), (link, [rule_file]), (rules / "moi.cchc", [rules])):
        with pytest.raises(CchcError, match="O001"):
            write_atomic(target, "x", inputs)
    assert rule_file.read_bytes() == RULES_2023.read_bytes()
    assert sorted(p.name for p in rules.iterdir()) == ["2023.cchc"]


def test_a_ranking_is_never_written_over_a_workbook_or_json_lines_of_the_folder_it_ranks(tmp_path: Path) -> None:
    """A folder of units is read for facts files, JSON lines and workbooks: none is overwritten, none made there."""
    from tests.test_cli import cchc

    folder = tmp_path / "huyen"
    folder.mkdir()
    (folder / "thanh-thuy.yaml").write_bytes(FACTS_THANH_THUY.read_bytes())
    cchc("template", RULES_2023, "-o", folder / "huyen-a.xlsx")
    (folder / "huyen-b.jsonl").write_text("", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for name in ("huyen-a.xlsx", "huyen-b.jsonl", "xep-hang.ndjson", "xep-hang.json"):
        run = cchc("rank", RULES_2023, folder, "-o", folder / name, *(("--format", "json") if "json" in name else ()))
        assert run.returncode == 1 and "[O001]" in run.stderr, run.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # A ranking workbook is passed over when the folder is read: written there, and written again.
    for _ in range(2):
        assert cchc("rank", RULES_2023, folder, "-o", folder / "xep-hang.xlsx").returncode == 0
    assert cchc("rank", RULES_2023, folder, "-o", folder / "xep-hang.csv").returncode == 0


def test_no_facts_claims_or_other_json_is_written_over_but_cchc_s_own_output_is(tmp_path: Path) -> None:
    """A facts file as pretty JSON or as flat YAML (no `facts:`), a claims file: none is what cchc writes, so
    none is replaced by a slip of `-o`; the JSON cchc wrote itself is written again."""
    import json

    import yaml

    from tests.test_cli import cchc

    facts = yaml.safe_load(FACTS_THANH_THUY.read_text(encoding="utf-8"))
    pretty = tmp_path / "xa-khac.json"
    pretty.write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")
    flat = tmp_path / "phang.yaml"
    flat.write_text(yaml.safe_dump(facts["facts"], allow_unicode=True), encoding="utf-8")
    claims = tmp_path / "diem-khai.yml"
    claims.write_text('unit: "Xã Thanh Thủy"\nscore: 65.988\n', encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for target in (pretty, flat, claims):
        run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", "-o", target)
        assert run.returncode == 1 and f"lỗi [O001]: {target}: đây là " in run.stderr, run.stderr
        assert "không ghi đè" in run.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    # A new file of a name cchc reads: no format of cchc's, and the next run would refuse it (a usage error).
    fresh = tmp_path / "moi.yaml"
    run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "-o", fresh)
    assert run.returncode == 2 and "không ghi ra tệp .yaml" in run.stderr and not fresh.exists()
    ours = tmp_path / "ket-qua.json"
    for _ in range(2):
        run = cchc("eval", RULES_2023, FACTS_THANH_THUY, "--format", "json", "-o", ours)
        assert run.returncode == 0, run.stderr


def test_output_into_a_pipe_or_a_device_is_written_into_it_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/null` or a named pipe: the rename of an atomic write would put a plain file in its place."""
    import stat
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()), daemon=True)
    reader.start()
    write_atomic(pipe, "mới\n")
    reader.join(10)
    assert got == ["mới\n".encode()]
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_to_dev_stdout_goes_to_the_open_stream_and_appends_where_the_shell_appends(tmp_path: Path) -> None:
    """`cchc eval ... -o /dev/stdout >> log.txt`: following the link to log.txt and replacing it lost its lines."""
    log = tmp_path / "log.txt"
    log.write_text("dòng cũ\n", encoding="utf-8")
    with log.open("ab") as handle:
        run = subprocess.run(
            [sys.executable, "-m", "cchc_rules", "eval", str(RULES_2023), str(FACTS_THANH_THUY), "-o", "/dev/stdout"],
            stdout=handle,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("dòng cũ\nChỉ số cải cách hành chính cấp xã") and "66,245" in text


def test_a_read_only_output_is_refused_and_a_files_mode_is_kept(tmp_path: Path) -> None:
    locked = tmp_path / "khoa.json"
    locked.write_text("cũ\n", encoding="utf-8")
    locked.chmod(0o444)
    with pytest.raises(CchcError, match="O002") as caught:
        write_atomic(locked, "mới\n")
    assert "tệp chỉ đọc" in str(caught.value)
    assert locked.read_text(encoding="utf-8") == "cũ\n"
    shared = tmp_path / "chung.json"
    shared.write_text("cũ\n", encoding="utf-8")
    shared.chmod(0o640)
    write_atomic(shared, "mới\n")
    assert shared.read_text(encoding="utf-8") == "mới\n" and shared.stat().st_mode & 0o777 == 0o640


def test_a_link_to_an_output_file_is_kept_and_the_file_it_points_to_is_written(tmp_path: Path) -> None:
    real = tmp_path / "that" / "ket-qua.json"
    real.parent.mkdir()
    real.write_text("cũ\n", encoding="utf-8")
    link = tmp_path / "ket-qua.json"
    link.symlink_to(real)
    write_atomic(link, "mới\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "mới\n"


# ---- nothing outside the rules folder -----------------------------------------------------------------


@pytest.fixture
def rules_folder(tmp_path: Path) -> Path:
    """tmp/rules/ with a valid two-file rule set, and tmp/outside/ next to it."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.cchc").write_text('ruleset "T" total 1 rounding 3 half_up\nfact x: count "X" max 1\n', encoding="utf-8")
    (rules / "b.cchc").write_text('1 "A": max 1\n  score = x\n  reason "r"\n', encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.cchc").write_text('bonus s "Bí mật": max 1\n  score = 1\n', encoding="utf-8")
    assert len(load_source(rules).modules) == 2
    return rules


def test_a_link_to_a_file_outside_the_rules_folder_is_refused(rules_folder: Path) -> None:
    (rules_folder / "c.cchc").symlink_to(rules_folder.parent / "outside" / "secret.cchc")
    with pytest.raises(RuleLoadError, match="trỏ ra ngoài thư mục quy tắc") as info:
        load_source(rules_folder)
    assert "c.cchc" in str(info.value)


def test_a_linked_folder_is_not_followed(rules_folder: Path) -> None:
    (rules_folder / "them").symlink_to(rules_folder.parent / "outside", target_is_directory=True)
    source = load_source(rules_folder)
    assert [Path(s.name).name for s in source.sources] == ["a.cchc", "b.cchc"]


def test_a_link_inside_the_rules_folder_is_read(rules_folder: Path) -> None:
    (rules_folder / "sub").mkdir()
    (rules_folder / "b.cchc").rename(rules_folder / "sub" / "b.cchc")
    (rules_folder / "b_link.cchc").symlink_to(rules_folder / "sub" / "b.cchc")
    assert len(load_source(rules_folder).modules) == 3  # a, the link, and sub/b: a duplicate id, not a leak


# ---- the same inputs, the same bytes -------------------------------------------------------------------


def cchc(args: list[str], seed: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != "CCHC_DEBUG"}
    env["PYTHONHASHSEED"] = seed
    done = subprocess.run(
        [sys.executable, "-m", "cchc_rules", *args], capture_output=True, cwd=ROOT, env=env, timeout=120, check=False
    )
    return done.stdout + b"\0" + done.stderr + b"\0" + str(done.returncode).encode()


FIXTURES = ROOT / "tests" / "fixtures"
COMMANDS = {
    "eval text": ["eval", str(RULES_2023), str(FACTS_THANH_THUY)],
    "eval json with trace": ["eval", str(RULES_2023), str(FACTS_THANH_THUY), "--format", "json", "--trace"],
    "explain": ["explain", str(RULES_2023), str(FACTS_THANH_THUY), "7.2.2"],
    "check json": [
        "check",
        str(FIXTURES / "check" / "bad" / "E170_score_can_exceed_max.cchc"),
        "--format",
        "json",
    ],
    "check with warnings": ["check", str(FIXTURES / "check" / "good" / "unprovable_but_true.cchc")],
    "broken facts": ["eval", str(RULES_2023), str(FIXTURES / "bad" / "facts" / "wrong_types.json")],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_output_is_the_same_bytes_whatever_the_hash_seed(name: str) -> None:
    runs = {cchc(COMMANDS[name], seed) for seed in ("0", "1", "4242")}
    assert len(runs) == 1
    assert b"Traceback" not in runs.pop()


def test_evaluating_twice_in_one_process_gives_the_same_bytes(tmp_path: Path) -> None:
    rules = cchc_rules.load(RULES_2023)
    first = rules.evaluate(FACTS_THANH_THUY).to_json(trace=True)
    again = cchc_rules.load(RULES_2023).evaluate(FACTS_THANH_THUY).to_json(trace=True)
    assert first == again == rules.evaluate(FACTS_THANH_THUY).to_json(trace=True)


def test_an_output_that_cannot_be_written_says_what_to_do(tmp_path: Path) -> None:
    for target, hint in (
        (tmp_path / "chua-co" / "x.json", "thư mục `" + str(tmp_path / "chua-co") + "` chưa có: tạo nó trước"),
        (tmp_path, f"`{tmp_path}` là một thư mục: `-o` cần tên một tệp"),
    ):
        with pytest.raises(CchcError, match="O002") as caught:
            write_atomic(target, "x")
        assert hint in str(caught.value)
