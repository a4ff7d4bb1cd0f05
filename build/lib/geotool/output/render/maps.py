"""``render_maps``: write every district map, the overview and optional PNGs.

Output folder layout::

    out/index.html          overview: districts by score, ranking, links
    out/<district>.html     one self-contained map per top-level district
    out/<district>.png      with ``png=True``: a static image per district

File names come from :func:`geotool.output.render._names.file_stems` (safe on every
file system, unique, stable). Each file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from geotool._atomic import remove_stale_temps, write_atomic
from geotool._errors import GeotoolError
from geotool.output.render._names import file_stems
from geotool.output.render.district_map import district_map
from geotool.output.render.overview import overview_html, top_districts
from geotool.output.render.tiles import resolve_tiles
from geotool.text import LANGS, Note

__all__ = ["render_maps"]


def _writer(data: str | bytes):
    """A ``write_atomic`` writer of text (UTF-8) or bytes."""

    def write(tmp: Path) -> None:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)

    return write


def _chosen(all_ids: list[str], districts: list[str] | None) -> list[str]:
    if districts is None:
        return all_ids
    chosen = []
    for did in districts:
        did = str(did)
        if did not in all_ids:
            raise GeotoolError(Note("maps.unknown_district", district=did,
                                    ids=", ".join(sorted(all_ids))))
        if did not in chosen:
            chosen.append(did)
    return chosen


def render_maps(result, out: str | Path, *, districts: list[str] | None = None,
                lang: str = "zh", tiles: str = "osm", png: bool = False) -> Path:
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
        Base map: ``"osm"`` (default), ``"none"``, ``"amap"``,
        ``"tianditu:<key>"`` or a tile URL template (see
        :mod:`geotool.output.render.tiles`). GCJ-02 tiles shift all drawn data to
        GCJ-02.
    png : bool
        Also write ``<district>.png`` (matplotlib, no browser).

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
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)
    written: dict[str, str] = {}
    for did in chosen:
        page = district_map(result, did, lang=lang, tiles=base, index_href="index.html")
        write_atomic(out / f"{stems[did]}.html", _writer(page.html))
        if png:
            from geotool.output.render.png import district_png

            write_atomic(out / f"{stems[did]}.png",
                         _writer(district_png(result, did, lang=lang)))
        written[did] = stems[did]
    index = out / "index.html"
    write_atomic(index, _writer(overview_html(result, written, lang=lang, tiles=base)))
    return index
