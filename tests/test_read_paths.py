"""The read stage's fast paths give what the general paths give, on tiny hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import geotool._halves as halves
from geotool.crs import gcj02_to_wgs84
from geotool.io.cells import Distinct, words_at
from geotool.io.decoding import HEAD_CHARS, head_text, plain_utf8
from geotool.io.tables import read_table

HEADER = "问题编号,记录类型,发现时间,经度,纬度\n"


def _row(i: int, kind: str = "inspection") -> str:
    return f"R{i:07d},{kind},2026-09-01 08:00,114.65,33.62\n"


def test_a_gbk_row_past_the_header_search_makes_the_whole_file_gbk(tmp_path: Path) -> None:
    # the first 2 MB are plain UTF-8 (ASCII), the last row is GBK: as before, the file is GBK
    body = "".join(_row(i) for i in range(4 * HEAD_CHARS // 40))
    assert len(body) > 4 * HEAD_CHARS
    raw = ("record_id,kind,found_at,lon,lat\n" + body).encode() + _row(9, "问题").encode("gbk")
    path = tmp_path / "r.csv"
    path.write_bytes(raw)
    assert not plain_utf8(raw)
    table = read_table(path)
    assert table.encoding == "gbk"
    assert table.data["kind"].iloc[-1] == "问题"
    assert len(table.data) == len(body.splitlines()) + 1


def test_plain_utf8_is_read_as_utf8_and_counted_by_lines(tmp_path: Path) -> None:
    # a quoted cell holding a line break shifts the later rows' numbers, as in the text path
    raw = (HEADER + _row(1) + 'R2,巡查,"2026-09-01\n08:00",114.65,33.62\n' + _row(3)).encode()
    path = tmp_path / "r.csv"
    path.write_bytes(raw)
    assert plain_utf8(raw)
    table = read_table(path)
    assert table.encoding == "utf-8"
    assert table.data["_row"].tolist() == [2, 3, 5]


def test_head_text_stops_on_a_character_boundary() -> None:
    raw = ("编" * (2 * HEAD_CHARS)).encode()  # 3 bytes a character: the cut falls inside one
    head = head_text(raw)
    assert len(head) >= HEAD_CHARS and set(head) == {"编"}


@pytest.mark.parametrize("cells", [
    [" a ", "ＡＢ", "NULL", "—", None, "", "\u3000x", "a", "n/a", "Ｎ／Ａ"],
])
def test_distinct_on_arrow_strings_matches_objects(cells: list[str | None]) -> None:
    arrow = Distinct(pd.Series(cells, dtype="str"))
    objects = Distinct(pd.Series(cells, dtype=object))
    assert arrow.texts == objects.texts
    assert arrow.blank().tolist() == objects.blank().tolist()
    assert arrow.text().tolist() == objects.text().tolist()
    assert arrow.text().dtype == objects.text().dtype == "string"
    same = arrow.text_codes()
    assert (same[0] == same[7]) and (same[1] != same[7])  # " a " and "a" are one id


def test_words_at_of_no_words_is_all_missing() -> None:
    out = words_at(["x"], np.full(3, -1))
    assert out.isna().all() and out.dtype == "string"
    assert pa.array(out.array).type == pa.large_string()


def test_gcj02_in_two_halves_is_bit_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(110, 120, 1001), rng.uniform(30, 40, 1001)
    monkeypatch.setattr(halves, "HALVES_MIN", 10**9)
    one = gcj02_to_wgs84(lon, lat)
    monkeypatch.setattr(halves, "HALVES_MIN", 10)
    two = gcj02_to_wgs84(lon, lat)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(a.view(np.int64), b.view(np.int64))
