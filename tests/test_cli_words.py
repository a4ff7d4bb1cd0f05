"""The command line in the planner's language: help, misspellings, dates, districts, order."""

from __future__ import annotations

import io
import json
import re

import pytest
from test_unit_lists import build_city

from geotool._progress import Stages
from geotool.cli import main

_CJK = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = ["validate", "check", "gaps", "history", "diff", "lists", "convert", "maps", "risk",
            "route", "demo"]


def _help(capsys, argv):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_chinese_by_default_with_a_paragraph_and_two_examples(capsys, command):
    text = _help(capsys, [command, "--help"])
    assert text.startswith("用法：geotool " + command)
    assert "选项" in text and "显示本帮助并退出" in text and "示例：" in text
    assert "usage" not in text and "show this help" not in text
    examples = [line for line in text.splitlines() if line.startswith(f"  geotool {command}")]
    assert len(examples) == 2
    paragraph = text.split("\n\n")[1]
    assert len(paragraph) > 60 and _CJK.search(paragraph)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_english_with_lang_en(capsys, command):
    text = _help(capsys, [command, "--help", "--lang", "en"])
    assert text.startswith("usage: geotool " + command)
    assert "examples:" in text and "show this help and exit" in text
    prose = [line for line in text.splitlines() if not line.startswith("  geotool ")]
    assert not any(_CJK.search(line) for line in prose), prose


def test_top_level_help_lists_the_commands_in_chinese(capsys):
    text = _help(capsys, ["-h"])
    assert text.startswith("用法：geotool") and "只写出各责任单位的清单" in text


@pytest.mark.parametrize(("argv", "want", "lang"), [
    (["gaps", "ws", "--asof", "2026-09-15"], "是不是要写 '--as-of'？", "zh"),
    (["gaps", "ws", "--asof", "2026-09-15", "--lang", "en"], "did you mean '--as-of'?", "en"),
    (["maps", "ws", "--distrct", "A"], "是不是要写 '--district'？", "zh"),
    (["gasp", "ws"], "是不是要写 'gaps'？", "zh"),
    (["lsits", "ws", "--lang", "en"], "did you mean 'lists'?", "en"),
])
def test_misspelt_flags_and_commands_suggest_the_right_one(capsys, argv, want, lang):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert want in err and err.count("\n") == 1
    assert bool(_CJK.search(err)) == (lang == "zh")  # one language per line
    # the prefix every error line has, argument errors included (one pattern to grep)
    assert err.startswith("geotool: 错误: " if lang == "zh" else "geotool: error: ")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_argument_errors_are_in_one_language(capsys, lang):
    for argv in (["gaps", "ws", "--window-days", "x"], ["gaps"], ["gaps", "ws", "--lang", "fr"],
                 ["gaps", "ws", "--as-of", "下周一"]):
        with pytest.raises(SystemExit):
            main([*argv, "--lang", lang] if "--lang" not in argv else argv)
        err = capsys.readouterr().err
        assert "usage" not in err and "invalid" not in err and "arguments" not in err, err
        if lang == "zh" or "--lang" in argv:
            assert _CJK.search(err), err


@pytest.mark.parametrize("as_of", ["2026/09/15", "2026年9月15日", "2026.9.15"])
def test_as_of_accepts_the_date_forms_records_accept(tmp_path, as_of):
    city = build_city(tmp_path / "city")
    out = tmp_path / "out"
    assert main(["gaps", str(city), "--as-of", as_of, "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["as_of"] == "2026-09-15"


def test_bad_parameters_are_reported_before_the_workspace_is_read(tmp_path, capsys):
    missing = tmp_path / "no-such-workspace"
    assert main(["lists", str(missing), "--as-of", "2026-09-15", "--window-days", "0"]) == 2
    err = capsys.readouterr().err
    assert "window_days" in err and str(missing) not in err


def test_district_by_name_and_unknown_name_lists_names_with_ids(tmp_path, capsys):
    from geotool.analysis.districts import resolve_districts
    from geotool.io.workspace import load_workspace

    city = build_city(tmp_path / "city")
    loaded = load_workspace(city)
    assert resolve_districts(loaded.districts, ["甲区"]) == ["A"]
    assert main(["maps", str(city), "--as-of", "2026-09-15", "--district", "乙区",
                 "--tiles", "none", "--out", str(tmp_path / "maps")]) == 2
    err = capsys.readouterr().err
    assert "'乙区'" in err and "甲区 (A)" in err
    assert not (tmp_path / "maps").exists()


def test_as_of_warning_comes_before_anything_is_written(tmp_path, capsys, monkeypatch):
    from geotool.output import unit_lists

    city = build_city(tmp_path / "city")
    seen = []
    real = unit_lists.write_unit_lists

    def spy(*args, **kwargs):
        seen.append(capsys.readouterr().err)
        return real(*args, **kwargs)

    monkeypatch.setattr(unit_lists, "write_unit_lists", spy)
    assert main(["lists", str(city), "--as-of", "2027-03-01", "--out", str(tmp_path / "o")]) == 0
    assert len(seen) == 1 and "2027-03-01" in seen[0] and "2026-09-01" in seen[0]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal():
    pipe = io.StringIO()
    with Stages("zh", stream=pipe) as stages:
        stages.stage("progress.units")
        stages.count(3, 40)
    assert pipe.getvalue() == ""
    term = _Terminal()
    with Stages("en", stream=term) as stages:
        stages.stage("progress.units")
        stages.count(3, 40)
    assert "writing the units' workbooks" in term.getvalue()


@pytest.mark.parametrize(("argv", "words"), [
    (["risk", "WS", "--as-of", "2026-10-26", "--seed", "-3"],
     "--seed: not a whole number of 0 or more: '-3'"),
    (["route", "WS", "--as-of", "2026-10-26", "--district", "A", "--max-stops", "0"],
     "--max-stops: not a positive whole number: '0'"),
    (["route", "WS", "--as-of", "2026-10-26", "--district", "A", "--max-stops", "-1"],
     "--max-stops: not a positive whole number: '-1'"),
])
def test_counts_and_seeds_out_of_range_are_one_line_errors(tmp_path, capsys, argv, words):
    # a negative seed reached NumPy as a traceback; --max-stops 0 gave an empty route
    argv = [str(tmp_path) if a == "WS" else a for a in argv]
    with pytest.raises(SystemExit) as exc:
        main(["--lang", "en", *argv, "--out", str(tmp_path / "out")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_bad_date_names_the_option_it_was_given_to(tmp_path, capsys):
    # diff --from 2026-13-01 said "选项 --as-of 的 ... 不是日期"
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(tmp_path), "--from", "2026-13-01", "--to", "2026-10-26"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--from：'2026-13-01' 不是日期" in err and "--as-of" not in err


def test_unknown_tiles_are_explained_in_the_chosen_language(sample_workspace, tmp_path, capsys):
    # the list of choices was English inside the Chinese message
    assert main(["maps", str(sample_workspace), "--as-of", "2026-10-26", "--tiles", "bogus:xx",
                 "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "或瓦片地址模板" in err and " or a tile URL" not in err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("command", ["gaps", "lists", "maps"])
def test_an_out_that_is_a_file_is_named_as_such(sample_workspace, tmp_path, capsys, command):
    # the OS's bare "File exists" / "Not a directory" came with advice about disk space
    afile = tmp_path / "afile"
    afile.write_text("keep me", encoding="utf-8")
    assert main(["--lang", "en", command, str(sample_workspace), "--as-of", "2026-10-26",
                 "--out", str(afile)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("afile: this is a file, not a folder: give --out a folder (it is made "
                        "when missing)"), err
    assert afile.read_text(encoding="utf-8") == "keep me"


def test_a_file_given_as_the_workspace_is_named_as_such(tmp_path, capsys):
    # an empty records file given as the workspace was read as the config: "[layers.districts]
    # is missing"
    records = tmp_path / "r.csv"
    records.write_text("", encoding="utf-8")
    assert main(["--lang", "en", "validate", str(records)]) == 2
    err = capsys.readouterr().err
    assert "this is a file, not a workspace: give the workspace folder (holding geotool.toml)" \
        in err and "districts" not in err
