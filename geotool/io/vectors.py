"""Reading a vector file through GDAL: layers, encodings, files without geometry."""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geotool._errors import InputError
from geotool.io.geojson import GeoJSONScan, scan_geojson
from geotool.text import Note

_SPREADSHEETS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
_KML = (".kml", ".kmz")
_GDAL_REPEAT = re.compile(r" \(#\d+\)\Z")  # GDAL's suffix of a repeated layer name


def read_vector(path: Path, *, layer: str | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a vector file with the right attribute encoding.

    Parameters
    ----------
    path : Path
        GeoJSON, GeoPackage, Shapefile, KML or any format GDAL reads.
    layer : str, optional
        The layer to read from a file holding several (a GeoPackage with
        several tables). A KML's folders are all read, one after another,
        each placemark with its folder's name in a ``folder`` column (unless
        the placemarks have a field of that name).

    Returns
    -------
    (GeoDataFrame, notes)

    Raises
    ------
    InputError
        When the file cannot be read as a vector layer, or holds several
        layers and none is named.
    """
    gdf, notes, _ = _read_source(path, layer=layer)
    return gdf, notes


def _read_source(path: Path, *, layer: str | None
                 ) -> tuple[gpd.GeoDataFrame, list[str], GeoJSONScan | None]:
    """:func:`read_vector`, plus what a GeoJSON file holds counted from its text."""
    with _gdal_path(path) as gpath, _kml_field_names(path):
        return _read_gdal(path, gpath, layer)


@contextlib.contextmanager
def _kml_field_names(path: Path) -> Iterator[None]:
    """Keep a KML's field names as written while it is read (GDAL's LIBKML launders them).

    奥维 and Google Earth write ``<Data name="编号">``; LIBKML turns every
    non-ASCII name into underscores, so 编号 and 单位 both become ``______``
    and the later overwrites the earlier. The option is set for the read
    only and the host's own setting put back.
    """
    if path.suffix.lower() not in (".kml", ".kmz"):
        yield
        return
    key = "LIBKML_LAUNDER_FIELD_NAMES"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "NO"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})


@contextlib.contextmanager
def _gdal_path(path: Path) -> Iterator[str]:
    """A name GDAL can open for ``path``, even when a folder in it is not valid UTF-8.

    GDAL takes UTF-8 names only. A workspace folder named in GBK (as unzipping
    a Windows zip leaves it) is reached through an open descriptor of the
    file's folder (``/proc/self/fd/N/name``, Linux); a file whose own name is
    not UTF-8 cannot be named to GDAL and is a one-line error.
    """
    text = os.fsdecode(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        yield text
        return
    name = path.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(Note("guard.layer_name_not_utf8"), path=path) from None
    if not Path("/proc/self/fd").is_dir():
        raise InputError(Note("guard.layer_name_not_utf8"), path=path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        yield f"/proc/self/fd/{fd}/{name}"
    finally:
        os.close(fd)


def _read_gdal(path: Path, gpath: str, layer: str | None
               ) -> tuple[gpd.GeoDataFrame, list[str], GeoJSONScan | None]:
    notes: list[str] = []
    kwargs: dict[str, object] = {}
    suffix = path.suffix.lower()
    if suffix in _SPREADSHEETS:
        raise InputError(Note("layer.is_spreadsheet"), path=path)
    if suffix == ".shp":
        cpg = path.with_suffix(".cpg")
        if not cpg.exists() and not path.with_suffix(".CPG").exists():
            encoding = _guess_dbf_encoding(path)
            if encoding is not None:
                kwargs["encoding"] = encoding
                notes.append(Note("note.shp_no_cpg", encoding=encoding))
    layers = _list_layers(gpath, path)
    names = [str(name) for name in layers[:, 0]] if len(layers) else []
    if layer is not None:
        if layer not in names:
            msg = Note("layer.no_such_layer", layer=layer,
                       names=", ".join(names) if names else Note("word.none"))
            raise InputError(msg, path=path)
        one = _read_one(path, layer, kwargs, notes, source=gpath)
        return (_with_folder(one, layer) if suffix in _KML else one), notes, None
    if suffix in _KML and names:
        # each placemark keeps its folder's name (学校, 医院 …): `type = "folder"` uses it
        frames = [_with_folder(_read_one(path, name, kwargs, notes, source=gpath), name)
                  for name in names]
        frames = [f for f in frames if len(f)]
        if len(names) > 1:
            notes.append(Note("note.kml_folders", n=len(names),
                              names=", ".join(names[:5]) + (" ..." if len(names) > 5 else "")))
        if not frames:
            empty = _read_one(path, names[0], kwargs, notes, source=gpath)
            return _with_folder(empty, names[0]), notes, None
        crs = frames[0].crs
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs), notes, None
    if len(names) > 1:
        msg = Note("layer.several_layers", n=len(names), names=", ".join(names[:8]),
                   first=names[0])
        raise InputError(msg, path=path)
    scan = scan_geojson(path)
    source = gpath if scan is None or scan.source is None else scan.source
    gdf = _read_one(path, names[0] if names and source is gpath else None, kwargs, notes,
                    source=source)
    if scan is not None and len(gdf) != len(scan.positions):
        msg = Note("guard.feature_count", n=len(gdf), total=scan.total)
        raise InputError(msg, path=path)
    return gdf, notes, scan


def _with_folder(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """``gdf`` with a ``folder`` column: the KML folder its placemarks are in.

    GDAL names the second folder of a name ``学校 (#2)``: the name is the
    folder's as written. Placemarks outside every folder get the document's
    name. Placemarks that carry a ``folder`` field of their own keep it; the
    others of such a file get their folder's name.
    """
    name = _GDAL_REPEAT.sub("", layer)
    if "folder" not in gdf.columns:
        gdf.insert(0, "folder", pd.Series(name, index=gdf.index, dtype="string"))
    else:
        gdf["folder"] = gdf["folder"].astype("string").fillna(name)
    return gdf


def _list_layers(gpath: str, path: Path) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.list_layers(gpath)
    except Exception as exc:
        raise InputError(Note("layer.unreadable", detail=_one_line(exc)), path=path) from None


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split())[:300]


def _read_one(path: Path, layer: str | None, kwargs: dict[str, object],
              notes: list[str], *, source: str | bytes | None = None) -> gpd.GeoDataFrame:
    """One layer of ``path`` (or of ``source``, the bytes to read instead of the file)."""
    src = path if source is None else source
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gdf = gpd.read_file(io.BytesIO(src) if isinstance(src, bytes) else src,
                                engine="pyogrio", layer=layer, on_invalid="warn", **kwargs)
    except UnicodeDecodeError:
        raise InputError(Note("layer.not_utf8"), path=path) from None
    except Exception as exc:
        raise InputError(Note("layer.unreadable", detail=_one_line(exc)), path=path) from None
    for w in caught:
        text = Note("note.reader_warning", text=_one_line(w.message))
        if text not in notes:
            notes.append(text)
    if not isinstance(gdf, gpd.GeoDataFrame):  # a folder, an attribute table, a spreadsheet
        raise InputError(_no_geometry(path, src, layer, gdf), path=path)
    return gdf


def _no_geometry(path: Path, src: object, layer: str | None, frame: pd.DataFrame) -> Note:
    """What a layer without geometry holds, for the error message."""
    try:
        shown = io.BytesIO(src) if isinstance(src, bytes) else src
        driver = str(pyogrio.read_info(shown, layer=layer)["driver"])
    except Exception:
        driver = "GDAL"
    columns = ", ".join(map(str, frame.columns[:8])) + (" ..." if frame.shape[1] > 8 else "")
    what = (Note("guard.what_folder", driver=driver) if path.is_dir()
            else Note("guard.what_table", driver=driver, layer=layer or path.stem))
    return Note("guard.no_geometry", what=what, n=len(frame),
                columns=columns or Note("word.none"))


def _guess_dbf_encoding(path: Path) -> str | None:
    """Encoding of a .dbf without a .cpg: None when its header names one, else UTF-8 or GBK."""
    dbf = path.with_suffix(".dbf")
    if not dbf.exists():
        dbf = path.with_suffix(".DBF")
    if not dbf.exists():
        return None
    raw = dbf.read_bytes()
    if len(raw) < 32:
        return None
    if raw[29] not in (0, 0x57):  # a language driver id GDAL understands (0x57: ANSI)
        return None
    header_len = int.from_bytes(raw[8:10], "little")
    records = raw[header_len:].rstrip(b"\x1a")
    if records.isascii():
        return "UTF-8"
    try:
        records.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        records.decode("gb18030")
        return "GBK"
    except UnicodeDecodeError:
        return None
