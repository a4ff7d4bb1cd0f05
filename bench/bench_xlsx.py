"""Benchmark: writing a large issue sheet to .xlsx with the candidate writers.

The sheet is shaped like the open-issue sheet of ``gaps.xlsx`` for a city of
1,000,000 records (about 285,000 open issues): ids, Chinese text with many
repeats, two datetimes, a date, integers, floats and a yes/no column; a few
cells start with ``=`` (formula injection). Each writer runs in the same
process, one after the other, and is judged on speed and on fidelity, checked
by reading a small file written the same way back with openpyxl:

* dates are real Excel date cells (a number with a date format), not text;
* the header row is frozen and has filter buttons;
* a text cell starting with ``=`` is text, never a formula;
* A4 landscape with the header row repeated and fitted to the page width.

Usage::

    python bench/bench_xlsx.py                 # 285,000 rows
    python bench/bench_xlsx.py --rows 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATE_COLS = ("found_at", "deadline", "rectified_at")


def make_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    """A frame shaped like the open-issue sheet (18 columns)."""
    rng = np.random.default_rng(seed)
    cats = np.array(["乱停乱放", "乱贴乱画", "占道经营", "卫生死角", "=HYPERLINK(\"x\")", "积水"])
    units = np.array([f"第{i}街道办事处" for i in range(40)])
    found = pd.Timestamp("2026-09-01") + pd.to_timedelta(rng.integers(0, 56 * 86400, rows), "s")
    deadline = (found + pd.to_timedelta(rng.integers(1, 10, rows), "D")).normalize()
    return pd.DataFrame({
        "record_id": [f"Q{i:07d}" for i in range(rows)],
        "feature_ids": [f"BJ-{i % 900:04d}" for i in range(rows)],
        "place": [f"第{i % 900}号背街小巷" for i in range(rows)],
        "district": rng.choice(["川东区", "河西区", "新城区", "高新区"], rows),
        "street": rng.choice([f"{i}路街道" for i in range(30)], rows),
        "community": rng.choice([f"{i}社区" for i in range(200)], rows),
        "category": rng.choice(cats, rows),
        "description": rng.choice([f"{c}，请尽快整改" for c in cats], rows),
        "source": rng.choice(["晨查", "暗访", "督导", "群众举报"], rows),
        "unit": rng.choice(units, rows),
        "found_at": found,
        "deadline": deadline,
        "rectified_at": pd.Series(found + pd.Timedelta(days=3)).where(rng.random(rows) < 0.1),
        "status": rng.choice(["未整改", "整改中"], rows),
        "days_overdue": rng.integers(0, 40, rows),
        "days_open": rng.integers(0, 60, rows),
        "recurring": rng.choice(["是", "否"], rows),
        "lon": np.round(rng.uniform(114.5, 115.0, rows), 6),
    })


def _escaped(df: pd.DataFrame) -> pd.DataFrame:
    from geotool.output.report import escape_formulas

    return escape_formulas(df)


def _page(ws, n_cols: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.freeze_panes(1, 0)


def xlsxwriter_cells(df: pd.DataFrame, path: Path) -> None:
    """Today's writer: xlsxwriter, one call per cell (type-specific writers)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = book.add_worksheet("问题清单")
    ws.write_row(0, 0, list(df.columns))
    cols = [df[c] for c in df.columns]
    for i in range(len(df)):
        for j, s in enumerate(cols):
            v = s.iat[i]
            if s.name in DATE_COLS:
                if not pd.isna(v):
                    ws.write_datetime(i + 1, j, v.to_pydatetime(), date)
            elif isinstance(v, str):
                ws.write_string(i + 1, j, v)
            else:
                ws.write_number(i + 1, j, float(v))
    ws.autofilter(0, 0, len(df), len(df.columns) - 1)
    _page(ws, len(df.columns))
    book.close()


def xlsxwriter_rows(df: pd.DataFrame, path: Path) -> None:
    """xlsxwriter ``constant_memory``: columns converted with NumPy, one ``write_row`` per row.

    Dates become Excel serial numbers in one vectorised step and take the
    column's date format (``set_column``); nulls become ``None`` (no cell).
    """
    import xlsxwriter

    from geotool.output.workbook import excel_serials

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    date = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = book.add_worksheet("问题清单")
    cols = []
    for j, c in enumerate(df.columns):
        s = df[c]
        if c in DATE_COLS:
            ws.set_column(j, j, 16, date)
            cols.append(excel_serials(s))
        else:
            cols.append(s.astype(object).where(s.notna(), None).tolist())
    ws.write_row(0, 0, list(df.columns))
    for i, row in enumerate(zip(*cols, strict=True), start=1):
        ws.write_row(i, 0, row)
    ws.autofilter(0, 0, len(df), len(df.columns) - 1)
    _page(ws, len(df.columns))
    book.close()


def rustpy(df: pd.DataFrame, path: Path) -> None:
    """rustpy-xlsxwriter (Rust ``rust_xlsxwriter``) from the DataFrame."""
    import rustpy_xlsxwriter as rx

    rx.write_worksheet(df, str(path), sheet_name="问题清单", freeze_row=1, autofilter=True,
                       datetime_format="yyyy-mm-dd hh:mm", bold_headers=True,
                       page_setup={"landscape": True, "paper_size": 9, "repeat_rows": 0,
                                   "fit_to_pages": (1, 0)})


def pyexcelerate(df: pd.DataFrame, path: Path) -> None:
    """PyExcelerate: a list of rows (it has no filters and no page setup)."""
    from pyexcelerate import Panes, Workbook

    book = Workbook()
    cells = [list(df.columns)] + [
        [None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
         for v in row] for row in df.itertuples(index=False)]
    ws = book.new_sheet("问题清单", data=cells)
    ws.panes = Panes(0, 1)
    book.save(str(path))


def polars_excel(df: pd.DataFrame, path: Path) -> None:
    """polars ``write_excel`` (xlsxwriter underneath)."""
    import polars as pl

    pl.from_pandas(df).write_excel(str(path), worksheet="问题清单", autofilter=True,
                                   freeze_panes=(1, 0), dtype_formats={
                                       pl.Datetime: "yyyy-mm-dd hh:mm"})


def geotool_workbook(df: pd.DataFrame, path: Path) -> None:
    """geotool's writer: xlsxwriter around the table, the data rows built column-wise (Arrow)."""
    from geotool.output.workbook import Sheet, write_workbook

    write_workbook(path, [Sheet(name="问题清单", frame=df, headers=list(df.columns))])


WRITERS = {
    "geotool (xlsxwriter + Arrow-built rows, now)": geotool_workbook,
    "xlsxwriter, cell by cell (earlier)": xlsxwriter_cells,
    "xlsxwriter constant_memory, write_row (before)": xlsxwriter_rows,
    "rustpy-xlsxwriter": rustpy,
    "pyexcelerate": pyexcelerate,
    "polars write_excel": polars_excel,
}


def fidelity(path: Path) -> dict[str, bool]:
    """What a planner relies on, read back with openpyxl."""
    from openpyxl import load_workbook

    ws = load_workbook(path)["问题清单"]
    head = [c.value for c in ws[1]]
    j = head.index("found_at") + 1
    cell = ws.cell(2, j)
    texts = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    return {
        "dates": isinstance(cell.value, dt.datetime) and cell.is_date,
        "frozen": ws.freeze_panes == "A2",
        "filter": bool(ws.auto_filter.ref),
        "no formula": not any(c.data_type == "f" for c in texts)
        and any(str(c.value).startswith("'=") for c in texts),
        "A4 landscape": ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (
            9, "9"),
        "fit width": bool(ws.sheet_properties.pageSetUpPr
                          and ws.sheet_properties.pageSetUpPr.fitToPage),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=285_000)
    parser.add_argument("--only", action="append", help="writer name substring (repeatable)")
    args = parser.parse_args()
    big = _escaped(make_frame(args.rows))
    small = _escaped(make_frame(500))
    print(f"{args.rows:,} rows x {len(big.columns)} columns")
    print(f"{'writer':<42} {'seconds':>8} {'MB':>7}  fidelity")
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in WRITERS.items():
            if args.only and not any(o in name for o in args.only):
                continue
            path = Path(tmp) / "big.xlsx"
            start = time.perf_counter()
            write(big, path)
            seconds = time.perf_counter() - start
            write(small, Path(tmp) / "small.xlsx")
            checks = fidelity(Path(tmp) / "small.xlsx")
            missing = [k for k, ok in checks.items() if not ok]
            print(f"{name:<42} {seconds:8.1f} {path.stat().st_size / 1e6:7.1f}  "
                  + ("all" if not missing else "missing: " + ", ".join(missing)), flush=True)


if __name__ == "__main__":
    main()
