"""Map file names bounded in bytes; a map run writes all of its files or none (#8 item 10).

Failures are real or injected where a full disk would strike
(``GEOTOOL_FAIL_AT=<point>:<n>`` raises ``OSError(ENOSPC)`` at the n-th
``write`` — a staged file complete — or ``publish`` — a file just moved in).
After a failed run the output folder must hold exactly what it held before,
byte for byte, and no staging folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from _hostile import AS_OF, make_hostile_workspace

from geotool import _atomic
from geotool.cli import main
from geotool.output.render._names import MAX_NAME_BYTES, file_stems, safe_stem

CJK_B = "\U00020000"  # four bytes in UTF-8


def _maps(ws: Path, out: Path, *extra: str, as_of=AS_OF) -> int:
    return main(["maps", str(ws), "--out", str(out), "--as-of", as_of.isoformat(),
                 "--tiles", "none", *extra])


def _state(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (files hashed), geotool's temporary ones included."""
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest()
                                               if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("district_id", [CJK_B * 60, CJK_B * 61, CJK_B * 45, "区" * 85,
                                         "区" * 200, "x" * 300, "a" * 180, "🏙" * 70])
def test_names_fit_in_255_bytes(district_id, tmp_path):
    stem = safe_stem(district_id)
    for suffix in (".html", ".png"):
        name = stem + suffix
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
        assert len(name.encode("utf-16-le")) // 2 <= 255  # Windows counts UTF-16 units
        (tmp_path / name).write_bytes(b"ok")  # the file system takes it


def test_widened_hashes_still_fit():
    """Ids that clash case-insensitively get longer hashes: still within 255 bytes."""
    ids = [CJK_B * 60 + "A", CJK_B * 60 + "a", CJK_B * 61 + "A", CJK_B * 61 + "a"]
    stems = file_stems(ids)
    assert len({s.casefold() for s in stems.values()}) == len(ids)
    assert all(len((s + ".html").encode()) <= MAX_NAME_BYTES for s in stems.values())


def test_four_byte_district_id_gives_a_complete_map_set(tmp_path):
    """The issue's case: 60 x U+20000 as a district id made "File name too long"."""
    ws = make_hostile_workspace(tmp_path / "ws", CJK_B * 60)
    out = tmp_path / "maps"
    assert _maps(ws, out, "--png") == 0
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 5 and "index.html" in names  # 2 maps + 2 PNGs + index
    assert all(len(n.encode()) <= MAX_NAME_BYTES for n in names)


@pytest.fixture()
def old_maps(tmp_path):
    ws = make_hostile_workspace(tmp_path / "ws", "plain")
    out = tmp_path / "maps"
    assert _maps(ws, out, "--png") == 0
    return ws, out, _state(out)


@pytest.mark.parametrize("point", ["write:1", "write:3", "write:5", "publish:1", "publish:3",
                                   "publish:5"])
def test_failed_run_leaves_previous_maps_intact(old_maps, point, monkeypatch, capsys):
    ws, out, before = old_maps
    monkeypatch.setattr(_atomic, "_reached", {})
    monkeypatch.setenv("GEOTOOL_FAIL_AT", point)
    assert _maps(ws, out, "--png", as_of=AS_OF.replace(day=29)) == 2
    err = capsys.readouterr().err
    assert "injected" in err and len(err.strip().splitlines()) == 1
    assert _state(out) == before  # same files, same bytes, no staging folder


def test_publish_failure_rolls_back(old_maps, capsys):
    """A real failure while moving in (a folder where a map goes): the old set is restored."""
    ws, out, before = old_maps
    (out / "index.html").unlink()
    (out / "index.html").mkdir()  # the overview, published last, cannot replace a folder
    before = _state(out)
    assert _maps(ws, out, "--png", as_of=AS_OF.replace(day=29)) == 2
    assert _state(out) == before
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_failed_first_run_leaves_no_folder(tmp_path, monkeypatch):
    ws = make_hostile_workspace(tmp_path / "ws", "plain")
    monkeypatch.setattr(_atomic, "_reached", {})
    monkeypatch.setenv("GEOTOOL_FAIL_AT", "write:2")
    assert _maps(ws, tmp_path / "new" / "maps") == 2
    assert not (tmp_path / "new").exists()


def test_next_run_removes_a_killed_runs_staging(old_maps):
    ws, out, _ = old_maps
    stale = out / f"{_atomic.TEMP_PREFIX}maps.{'0' * 16}.tmp"
    stale.mkdir()
    (stale / "A.html").write_text("half", encoding="utf-8")
    mine = out / f"{_atomic.TEMP_PREFIX}notes.txt"  # geotool's prefix but not its form
    mine.write_text("planner's", encoding="utf-8")
    (out / "notes.tmp").write_text("planner's", encoding="utf-8")
    assert _maps(ws, out) == 0
    assert not stale.exists() and mine.exists() and (out / "notes.tmp").exists()


def test_os_error_with_newline_prints_on_one_line(tmp_path, capsys):
    """A path with a line break (here: an --out that is a file) still gives one line."""
    ws = make_hostile_workspace(tmp_path / "ws", "plain")
    bad = tmp_path / "line\nbreak"
    bad.write_text("a file, not a folder", encoding="utf-8")
    assert _maps(ws, bad) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "line\\nbreak" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_ledger_feature_collection_says_so(tmp_path, capsys, lang):
    ws = make_hostile_workspace(tmp_path / "ws", "plain")
    (ws / "alleys.geojson").write_text('{"type": "FeatureCollection", "features": []}',
                                       encoding="utf-8")
    assert main(["validate", str(ws), "--out", str(tmp_path / "v"), "--lang", lang]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "alleys.geojson" in err and "[layers.alleys]" in err
    assert ("holds no features" if lang == "en" else "没有任何要素") in err
    assert not err.rstrip().endswith((":", "：")) and "one of" not in err


def test_features_without_attributes_say_so(tmp_path, capsys):
    ws = make_hostile_workspace(tmp_path / "ws", "plain")
    (ws / "alleys.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [114.61, 33.61]}}]}', encoding="utf-8")
    assert main(["validate", str(ws), "--out", str(tmp_path / "v"), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no attribute column" in err and "'id'" in err and "one of" not in err


def test_unit_workbook_names_fit_in_255_bytes(tmp_path):
    """The same class as the maps: a unit named with 80 four-byte characters (units/<unit>.xlsx)."""
    import csv
    import json

    ws = make_hostile_workspace(tmp_path / "ws", "plain")
    path = ws / "alleys.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for f in data["features"]:
        f["properties"]["unit"] = CJK_B * 80
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    records = ws / "records" / "records.csv"
    rows = list(csv.reader(records.open(encoding="utf-8", newline="")))
    for row in rows[1:]:
        row[9] = CJK_B * 80 + "x"
    with records.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "g"
    assert main(["gaps", str(ws), "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    names = [p.name for p in (out / "units").iterdir()]
    assert len(names) >= 2 and all(len(n.encode()) <= MAX_NAME_BYTES for n in names)
