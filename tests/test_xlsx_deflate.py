"""The workbook's sheet parts: deflated by ISA-L, a valid zip, the cells as written.

The rows are worked out by hand: three issues, one with a missing text cell
(no cell is written for it) and one whose text starts like a formula (shown
with a leading apostrophe, as text). A blank row parts the title from the header.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from geotool.output.workbook import Sheet, write_workbook
from geotool.output.xlsx_rows import _isal_deflate


def test_sheet_parts_are_valid_deflate_with_the_rows(tmp_path):
    frame = pd.DataFrame({"issue_id": ["a-1", "a-2", "=1+1"],
                          "note": ["路面破损", None, "x & <y>"],
                          "days": [3.0, 0.0, 12.5]})
    path = write_workbook(tmp_path / "t.xlsx",
                          [Sheet("问题", frame, ["编号", "说明", "天数"], top=[["标题"]])])
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None  # every member's CRC matches its inflated bytes
        part = z.getinfo("xl/worksheets/sheet1.xml")
        assert part.compress_type == zipfile.ZIP_DEFLATED
        assert part.compress_size < part.file_size
    ws = load_workbook(path)["问题"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=6)]
    assert rows == [["编号", "说明", "天数"], ["a-1", "路面破损", 3], ["a-2", None, 0],
                    ["'=1+1", "x & <y>", 12.5]]
    assert ws["A6"].data_type == "s"  # text, not a formula


def test_zip_member_gets_isal_compressor():
    with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z, \
            z.open("a.xml", "w") as part:
        _isal_deflate(part)
        assert type(part._compressor).__module__.startswith("isal")
        part.write(b"<row/>" * 1000)
