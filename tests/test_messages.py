"""Every planner-facing text in Chinese (default) and English (geotool.text)."""

from __future__ import annotations

import pickle
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from test_bad_input import CASES, CONFIG, csv_file, make_workspace, set_config

from geotool._errors import ConfigError, CRSError, GeotoolError, InputError
from geotool.cli import main
from geotool.crs import normalize_datum
from geotool.io.config import Defaults, load_config
from geotool.io.tables import read_table
from geotool.io.workspace import load_workspace
from geotool.text import _GEOS, TABLE, TOPICS, Join, Note, geos_reason, render, topic

MESSAGES = topic("messages")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SOURCES = {p: p.read_text(encoding="utf-8")
            for p in Path(__file__).resolve().parents[1].joinpath("geotool").rglob("*.py")
            if p.parent.name != "text"}


def _fields(template: str) -> Counter:
    """(name, conversion, format spec) of every placeholder, counted."""
    return Counter((name, conv, spec) for _, name, spec, conv in string.Formatter().parse(template)
                   if name is not None)


# ---- the catalogue --------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(TABLE))
def test_every_key_has_both_languages_with_the_same_placeholders(key):
    zh, en = TABLE[key]
    assert zh.strip() and en.strip()
    assert _fields(zh) == _fields(en), key
    bare = re.sub(r"\{[^}]*\}", "", zh)
    # Chinese unless the template is only a placeholder (a value shown verbatim)
    assert _CJK.search(zh) or not re.search(r"[A-Za-z]", bare), key
    assert not _CJK.search(re.sub(r"[经纬度问题编号发现时间巡查日期，、/]", "", en)), key


def test_every_topic_file_is_merged():
    """A ``geotool/text/<topic>.toml`` not listed in ``TOPICS`` would be left out silently."""
    folder = Path(__file__).resolve().parents[1] / "geotool" / "text"
    assert sorted(p.stem for p in folder.glob("*.toml")) == sorted(TOPICS)
    assert sum(len(topic(name)) for name in TOPICS) == len(TABLE)


def test_every_key_is_used():
    unused = [k for k in MESSAGES
              if not (k in {*_GEOS.values(), "geos.other"} or any(f'"{k}"' in s for s in _SOURCES.values()))]
    assert unused == []


def test_no_note_or_error_is_left_as_plain_english():
    """Every notes.append and raise in the loaders passes a keyed Note."""
    names = ("config.py", "layers.py", "tables.py", "records.py", "workspace.py", "crs.py")
    for path, text in _SOURCES.items():
        if path.name not in names:
            continue
        for m in re.finditer(r"notes\.append\((.)", text):
            assert m.group(1) != '"' and m.group(1) != "f", (path.name, text[m.start():][:80])
        for m in re.finditer(r"raise (?:ConfigError|InputError|CRSError|GeotoolError)\((.)", text):
            assert m.group(1) not in "\"'f", (path.name, text[m.start():][:80])


# ---- Note -----------------------------------------------------------------------------------

def test_note_is_the_english_string_and_renders_chinese():
    note = Note("note.title_rows", where=Note("where.sheet", sheet="台账"), n=2)
    assert isinstance(note, str)
    assert str(note) == note == "sheet '台账': skipped 2 title row(s) above the header"
    assert "skipped 2 title row(s)" in note and note.endswith("above the header")
    assert note.render("en") == str(note)
    assert note.render("zh") == "工作表 '台账'：跳过了表头上方的 2 行标题"
    assert note.render() == note.render("zh")  # Chinese by default
    assert note.key == "note.title_rows" and note.params["n"] == 2
    assert render(note, "zh") == note.render("zh") and render("plain", "zh") == "plain"


def test_note_params_render_in_the_chosen_language_values_verbatim():
    sep = Note("note.separator", sep=Note("sep.tab"))
    assert sep == "columns separated by tab instead of ','"
    assert sep.render("zh") == "各列用制表符分隔，而不是逗号 ','"
    cols = Note("note.columns_not_used_map",
                columns=Join(["照片", Note("word.duplicate_column", label="经度")], ", "),
                example="照片", names="unit")
    assert cols.startswith("columns not used: 照片, 经度 (duplicate); to use one")
    assert cols.render("zh").startswith("未使用的列：照片、经度（重复）；")
    overlap = Note("note.districts_overlap", level=0, overlap=12345.6)
    assert "overlap by 12,346 m2" in overlap and "12,346 平方米" in overlap.render("zh")


def test_note_survives_pickle_and_compares_as_text():
    note = Note("note.encoding", encoding="gbk")
    back = pickle.loads(pickle.dumps(note))
    assert back == note and back.key == note.key and back.render("zh") == "文本编码为 gbk"
    assert note in ["text encoding gbk"] and "text encoding gbk" in [note]
    with pytest.raises(KeyError):
        Note("no.such.key")


def test_geos_reasons_are_translated_when_known():
    assert geos_reason("Ring Self-intersection").render("zh") == "环自相交"
    assert geos_reason("Self-intersection") == "Self-intersection"
    assert geos_reason("Something new").render("zh") == "Something new"


# ---- GeotoolError ---------------------------------------------------------------------------

def test_error_renders_location_and_text_in_either_language():
    exc = InputError(Note("table.unsupported", suffix=".doc"), path="r/a.doc", row=3,
                     column="发现时间")
    assert str(exc) == ("r/a.doc, row 3, column '发现时间': unsupported record file type "
                        "'.doc': use .csv or .xlsx")
    assert exc.render("en") == str(exc)
    assert exc.render("zh") == ("r/a.doc，第 3 行，列 '发现时间'：不支持的记录文件类型 '.doc'："
                                "请使用 .csv 或 .xlsx")
    assert exc.key == "table.unsupported" and exc.params == {"suffix": ".doc"}
    keyed = InputError(key="table.unsupported", params={"suffix": ".doc"}, path="r/a.doc", row=3,
                       column="发现时间")
    assert str(keyed) == str(exc) and keyed.render("zh") == exc.render("zh")
    plain = GeotoolError("already translated\ntext", path="x.csv")
    assert plain.key is None and plain.render("zh") == "x.csv：already translated text"
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is InputError and back.render("zh") == exc.render("zh")


def test_config_typo_says_unknown_key_in_chinese(tmp_path):
    (tmp_path / "d.geojson").write_text("{}", encoding="utf-8")
    (tmp_path / "geotool.toml").write_text(
        '[layers.districts]\npath = "d.geojson"\n[defaults]\nreach_n = 200\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key 'reach_n' in \[defaults\] "
                                          r"\(did you mean 'reach_m'\?\)") as info:
        load_config(tmp_path)
    zh = info.value.render("zh")
    assert "未知" in zh and "'reach_n'" in zh and "'reach_m'" in zh and "[defaults]" in zh
    assert "did you mean" not in zh and "是不是要写 'reach_m'" in zh
    assert zh.startswith(str(tmp_path / "geotool.toml") + "：")


def test_config_errors_translate_their_english_fragments(tmp_path):
    (tmp_path / "d.geojson").write_text("{}", encoding="utf-8")
    (tmp_path / "geotool.toml").write_text('[layers.districts]\npath = "d.geojson"\nfoo = 1\n'
                                           '[bar]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "unknown key 'bar' in the top level (allowed: check, city, defaults, evaluation, extent, history, layers, records)" in \
        str(info.value)
    assert "配置文件顶层中有未知的键 'bar'（可用的键：check, city, defaults, evaluation, extent, history, layers, records）" in \
        info.value.render("zh")
    with pytest.raises(ConfigError) as info:
        Defaults().with_overrides(window_days=0)
    assert str(info.value) == "command line: window_days must be positive, got 0"
    assert info.value.render("zh") == "命令行：window_days 必须大于 0，现在是 0"


def test_unknown_crs_in_chinese(tmp_path):
    with pytest.raises(CRSError) as info:
        normalize_datum("火星")
    assert info.value.render("zh").startswith("未知的坐标系 '火星'：")
    assert "高德/腾讯" in info.value.render("zh")
    (tmp_path / "d.geojson").write_text("{}", encoding="utf-8")
    (tmp_path / "geotool.toml").write_text('[layers.districts]\npath = "d.geojson"\n'
                                           'crs = "火星"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[layers.districts\] crs: unknown CRS '火星'") as info:
        load_config(tmp_path)
    assert "[layers.districts] 的 crs：未知的坐标系 '火星'" in info.value.render("zh")


def test_unreadable_record_file_in_chinese(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("照片,附件\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header row with known column names") as info:
        read_table(path)
    zh = info.value.render("zh")
    assert zh.startswith(f"{path}：") and "没有含可识别列名" in zh and "[records.columns]" in zh


# ---- the whole load: every note and every error is keyed ------------------------------------

def _notes(loaded) -> list:
    return [n for acc in loaded.accounts for n in acc.notes] + list(loaded.notes)


def test_every_note_and_error_of_the_bad_input_corpus_is_keyed(tmp_path):
    seen_notes, seen_errors = set(), set()
    for i, case in enumerate(CASES):
        root = make_workspace(tmp_path / f"ws{i}")
        case.build(root)
        try:
            loaded = load_workspace(root, lang="en")
        except GeotoolError as exc:
            assert exc.key is not None, (case.name, str(exc))
            assert exc.render("en") == str(exc)
            zh = exc.render("zh")
            assert _CJK.search(zh) and case.error_file in zh, (case.name, zh)
            seen_errors.add(exc.key)
            continue
        for note in _notes(loaded):
            assert isinstance(note, Note), (case.name, note)
            assert _CJK.search(note.render("zh")), (case.name, note)
            assert note.render("en") == note
            seen_notes.add(note.key)
    assert len(seen_notes) >= 15 and len(seen_errors) >= 5, (seen_notes, seen_errors)


def test_gbk_note_in_both_languages(tmp_path):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,整改状态",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,未整改"], encoding="gbk")
    notes = _notes(load_workspace(root))
    note = next(n for n in notes if n.key == "note.encoding")
    assert note == "text encoding gbk" and note.render("zh") == "文本编码为 gbk"


# ---- the CLI (needs the lead's report.py / cli.py change) -----------------------------------


def test_validate_prints_notes_in_chinese_by_default_and_english_with_lang_en(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    csv_file(root, ["问题编号,发现时间,经度,纬度,问题类型,整改状态",
                    "R1,2026-09-01,114.62,33.62,乱停乱放,未整改"], encoding="gbk")
    assert main(["validate", str(root), "--out", str(root / "out")]) == 0
    zh = capsys.readouterr().out
    assert main(["validate", str(root), "--lang", "en", "--out", str(root / "out")]) == 0
    en = capsys.readouterr().out
    assert "文本编码为 gbk" in zh and "text encoding gbk" not in zh
    assert "text encoding gbk" in en and "文本编码" not in en


def test_cli_errors_in_chinese_by_default_and_english_with_lang_en(tmp_path, capsys):
    root = make_workspace(tmp_path / "ws")
    set_config(root, CONFIG.replace("paths", "pahts"))
    assert main(["validate", str(root)]) == 2
    zh = capsys.readouterr().err.strip()
    assert main(["validate", str(root), "--lang", "en"]) == 2
    en = capsys.readouterr().err.strip()
    assert "[records]中有未知的键 'pahts'（是不是要写 'paths'？）" in zh and "unknown" not in zh
    assert "unknown key 'pahts' in [records] (did you mean 'paths'?)" in en
