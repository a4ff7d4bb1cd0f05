"""``render_maps``: write every district map, the overview and optional PNGs.

Output folder layout::

    out/index.html          overview: districts by score, ranking, links
    out/<district>.html     one self-contained map per top-level district
    out/<district>.png      with ``png=True``: a 1920×1080 slide per district
    out/index.png           with ``png=True``: the overview and ranking as a slide

File names come from :func:`geotool.output.render._names.file_stems` (safe on every
file system, unique, stable, at most 255 bytes).

The set is written all or nothing: every page is first built in a private
staging folder inside ``out`` (``.geotool-maps.<hex>.tmp``,
:func:`geotool._atomic.scratch_dir`); only when all of them are complete are
they moved into ``out`` (one atomic rename each, the overview last, so it
never links to a map that is not there yet). A run that fails part-way
(a file name the file system refuses, a full disk, a bad district) leaves
the previous maps as they were and adds nothing; a killed run leaves at most
the staging folder, which the next run removes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from geotool._atomic import checkpoint, remove_stale_temps, scratch_dir
from geotool._errors import GeotoolError
from geotool.output.render._names import file_stems
from geotool.output.render.district_map import district_map
from geotool.output.render.history_marks import trends_png
from geotool.output.render.overview import overview_html, top_districts
from geotool.output.render.overview_png import overview_png
from geotool.output.render.png import district_png
from geotool.output.render.tiles import resolve_tiles
from geotool.text import LANGS, Note

__all__ = ["render_maps"]


def _stage(path: Path, data: str | bytes) -> str:
    """Write one complete file into the staging folder; return its name."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with open(path, "xb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    checkpoint("write")
    return path.name


def _publish(stage: Path, out: Path, names: list[str]) -> None:
    """Move the staged files into ``out`` in order; on a failure put the old ones back.

    Each move is one atomic rename. Before a file is replaced, the old one is
    hard-linked (or copied) into ``stage/old``; if any move fails, every file
    already moved is restored (or removed when it is new) and the error is
    raised: the folder is as it was.
    """
    backup = stage / "old"
    backup.mkdir()
    moved: list[str] = []
    try:
        for name in names:
            target = out / name
            if target.is_file() and not target.is_symlink():
                try:
                    os.link(target, backup / name)
                except OSError:
                    shutil.copy2(target, backup / name)
            os.replace(stage / name, target)
            moved.append(name)
            checkpoint("publish")
    except BaseException:
        for name in reversed(moved):
            with contextlib.suppress(OSError):
                if (backup / name).exists():
                    os.replace(backup / name, out / name)
                else:
                    (out / name).unlink()
        raise


def _chosen(all_ids: list[str], districts: list[str] | None) -> list[str]:
    if districts is None:
        return all_ids
    chosen = []
    for given in districts:
        did = str(given)
        if did not in all_ids:
            raise GeotoolError(Note("maps.unknown_district", district=did,
                                    ids=", ".join(sorted(all_ids))))
        if did not in chosen:
            chosen.append(did)
    return chosen


def render_maps(result, out: str | Path, *, districts: list[str] | None = None,
                lang: str = "zh", tiles: str = "amap", png: bool = False,
                history=None, extras: Sequence = ()) -> Path:
    """Write one interactive map per top-level district and ``index.html``.

    Parameters
    ----------
    result : GapResult
        From :func:`geotool.analysis.gaps.find_gaps` (WGS-84 frames).
    out : str or Path
        Output folder (created when missing).
    districts : list of str, optional
        Only these top-level district ids (default: all).
    lang : {"zh", "en"}
        Language of every text on the maps.
    tiles : str
        Base map: ``"amap"`` (default; GCJ-02, with a plain background and a
        note when tiles do not load), ``"none"``, ``"osm"``,
        ``"tianditu:<key>"`` or a tile URL template (see
        :mod:`geotool.output.render.tiles`). GCJ-02 tiles shift all drawn data to
        GCJ-02.
    extras : sequence
        Optional overlays on every district map
        (:mod:`geotool.output.render.extras`).
    png : bool
        Also write ``<district>.png`` (matplotlib, no browser).
    history : HistoryView, optional
        From :func:`geotool.analysis.trends.history_view`: rank changes and
        trend charts on the index, a 本周新增 layer on each district map, and
        ``trends.png`` (the trend charts for slides).

    Returns
    -------
    Path
        The overview, ``out/index.html``.

    Raises
    ------
    GeotoolError
        An id in ``districts`` is not a top-level district, or ``tiles`` is
        not understood.
    """
    if lang not in LANGS:
        msg = f"unknown language {lang!r}: use one of {', '.join(LANGS)}"
        raise GeotoolError(msg)
    base = resolve_tiles(tiles)
    out = Path(out)
    all_ids = [str(i) for i in top_districts(result)["district_id"]]
    chosen = _chosen(all_ids, districts)
    stems = file_stems(all_ids)
    created = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    try:
        with scratch_dir(out, "maps") as stage:
            names: list[str] = []
            written: dict[str, str] = {}
            for did in chosen:
                page = district_map(result, did, lang=lang, tiles=base, index_href="index.html",
                                    history=history, extras=extras)
                names.append(_stage(stage / f"{stems[did]}.html", page.html))
                if png:

                    names.append(_stage(stage / f"{stems[did]}.png",
                                        district_png(result, did, lang=lang)))
                written[did] = stems[did]
            if history is not None:

                top = top_districts(result)
                labels = dict(zip(top["district_id"].astype(str), top["name"].astype(str),
                                  strict=True))
                names.append(_stage(stage / "trends.png", trends_png(
                    history.trend, labels, city=result.city, lang=lang)))
            if png:

                names.append(_stage(stage / "index.png", overview_png(result, lang=lang)))
            names.append(_stage(stage / "index.html",
                                overview_html(result, written, lang=lang, tiles=base,
                                              history=history)))
            _publish(stage, out, names)
    except BaseException:
        for folder in created:  # leave no new (empty) folder behind either
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return out / "index.html"
