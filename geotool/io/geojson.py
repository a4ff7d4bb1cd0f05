"""GeoJSON as the file holds it: how many features, which ones GDAL skips, ids as written.

GDAL reads a GeoJSON ``FeatureCollection`` but skips, without a word, every
member of ``features`` whose ``"type"`` is not exactly ``"Feature"``
(``"feature"``, ``"Featur"``, none); its GeoJSONSeq reader skips a line that
is not valid JSON (a file cut short). It also turns a 20-digit integer
property into a float, which loses digits. :func:`scan_geojson` parses the
file itself so that the layer reader can count every feature the file
holds, quarantine the ones GDAL would skip, hand GDAL only the good
GeoJSONSeq lines, and take number ids from the JSON text, digit for digit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from geotool.io.ids import number_text

__all__ = ["GeoJSONScan", "scan_geojson"]

_JSON_SUFFIXES = (".geojson", ".json", ".geojsonl", ".geojsons", ".jsonl", ".ndjson")
_SEQ_SUFFIXES = (".geojsonl", ".geojsons", ".jsonl", ".ndjson")
_RS = "\x1e"  # RFC 8142 record separator
_SHOWN = 60  # characters of a bad line shown in the quarantine


@dataclass
class GeoJSONScan:
    """What a GeoJSON or GeoJSONSeq file holds, counted from its text.

    ``positions`` are the 1-based positions (in ``features``, or line
    numbers for GeoJSONSeq) of the features GDAL reads, in its order;
    ``skipped`` the ``(position, reason_code, value)`` of the others;
    ``properties`` the JSON properties of the read features (numbers exact);
    ``source`` the bytes GDAL must read instead of the file (good GeoJSONSeq
    lines only), or ``None`` to read the file itself.
    """

    total: int
    positions: np.ndarray
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    properties: list[object] = field(default_factory=list)
    source: bytes | None = None

    def exact(self, name: str) -> list[object] | None:
        """Property ``name`` of each read feature, numbers as written; None if never a number."""
        values = [p.get(name) if isinstance(p, dict) else None for p in self.properties]
        if not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return None
        return [number_text(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                else v for v in values]


def _type_shown(item: object) -> str:
    if not isinstance(item, dict):
        return json.dumps(item, ensure_ascii=False)[:_SHOWN]
    if "type" not in item:
        return ""
    return json.dumps(item["type"], ensure_ascii=False)[:_SHOWN]


def _parse(text: str) -> object:
    # no NaN/Infinity constants: they are not JSON, and GDAL refuses them too
    def refuse(name: str) -> None:
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


def _is_object(line: str) -> bool:
    try:
        return isinstance(_parse(line), dict)
    except (ValueError, RecursionError):
        return False


def _collection(data: dict) -> GeoJSONScan | None:
    items = data.get("features")
    if not isinstance(items, list):
        return None
    good = [i for i, item in enumerate(items)
            if isinstance(item, dict) and item.get("type") == "Feature"]
    good_set = set(good)
    skipped = [(i + 1, "not_a_feature", _type_shown(item)) for i, item in enumerate(items)
               if i not in good_set]
    return GeoJSONScan(total=len(items), positions=np.asarray(good, dtype=np.int64) + 1,
                       skipped=skipped,
                       properties=[items[i].get("properties") for i in good])


def _sequence(text: str) -> GeoJSONScan | None:
    lines = text.replace(_RS, "\n").split("\n")
    good: list[int] = []
    props: list[object] = []
    kept: list[str] = []
    skipped: list[tuple[int, str, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _parse(line)
        except (ValueError, RecursionError):
            skipped.append((number, "bad_json_line", line.strip()[:_SHOWN]))
            continue
        if isinstance(item, dict) and item.get("type") == "Feature":
            good.append(number)
            props.append(item.get("properties"))
            kept.append(line.strip())
        else:
            skipped.append((number, "not_a_feature", _type_shown(item)))
    if not good and not any(code == "not_a_feature" for _, code, _ in skipped):
        return None  # not a sequence of JSON texts at all: GDAL says what it is
    source = None
    if skipped:
        source = ('{"type":"FeatureCollection","features":[' + ",".join(kept)
                  + "]}").encode("utf-8")
    return GeoJSONScan(total=len(good) + len(skipped), positions=np.asarray(good, dtype=np.int64),
                       skipped=skipped, properties=props, source=source)


def scan_geojson(path: Path) -> GeoJSONScan | None:
    """Count the features of a GeoJSON / GeoJSONSeq file from its text.

    Returns ``None`` for other formats, for a single Feature or geometry,
    and for text that is not JSON at all (GDAL then reports the file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.geojson"
    >>> _ = p.write_text('{"type": "FeatureCollection", "features": ['
    ...     '{"type": "Feature", "properties": {"id": 12345678901234567890}, "geometry": null},'
    ...     '{"type": "feature", "properties": {}, "geometry": null}]}')
    >>> scan = scan_geojson(p)
    >>> scan.total, scan.positions.tolist(), scan.skipped, scan.exact("id")
    (2, [1], [(2, 'not_a_feature', '"feature"')], ['12345678901234567890'])
    """
    if path.suffix.lower() not in _JSON_SUFFIXES or not path.is_file():
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    stripped = text.lstrip()
    if not stripped.startswith(("{", _RS)):
        return None
    try:
        data = _parse(text)
    except (ValueError, RecursionError):
        if path.suffix.lower() in _SEQ_SUFFIXES or stripped.startswith(_RS) or _is_object(
                stripped.split("\n", 1)[0]):
            return _sequence(text)
        return None  # a collection cut short: GDAL says so
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return _collection(data)
    return None
