"""A tiny workspace whose every text field carries template syntax and markup.

:func:`make_hostile_workspace` writes districts (two top-level districts,
each with a street and a community), one ledger layer (alleys) and a records
CSV, with the same hostile text ``payload`` in every field that reaches a
map or a PNG: the city name; district, street and community names (and the
street and community ids); the layer's ``label`` and ``label_en``; each
feature's id, name, unit and type; each record's id, category, description,
source and unit. A prefix per field (``desc:``, ``unit:``...) tells them
apart on the page.

:data:`PAYLOADS` are the hostile texts, one class of attack each;
:func:`ssti` builds a Jinja2 walk from a template global to ``os.system``
that would create ``marker`` if the text were ever evaluated.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

__all__ = ["AS_OF", "PAYLOADS", "all_in_one", "make_hostile_workspace", "ssti"]

AS_OF = dt.date(2026, 9, 30)


def ssti(marker: Path) -> str:
    """Jinja2 server-side template injection that creates ``marker`` if evaluated."""
    return ("{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
            "{{ lipsum.__globals__['os'].popen('touch " + str(marker) + "').read() }}")


#: Name -> hostile text (``{marker}`` is replaced by the marker path).
PAYLOADS = {
    "expression": "{{ 7*7 }}",
    "statement": "{% for x in [1, 2] %}loop{% endfor %}",
    "comment": "{# hidden #}",
    "unbalanced": "见附件{#3} {{ {% 未完",
    "ssti": "SSTI",  # replaced by ssti(marker)
    "img": "<img src=x onerror=alert(document.domain)>",
    "script": "</script><script>alert(1)</script><!--",
    # "<" and ">" built from numbers by the template engine, past any HTML escaping
    "numbers": ("{{ '%c' % 60 }}img src=x onerror=alert(2){{ '%c' % 62 }}"
                "{{ '%c'|format(60) }}script{{ '%c'|format(62) }}alert(3)"),
    "separators": "line\u2028para\u2029end $x^2$ \\$",
}


def all_in_one(marker: Path) -> str:
    """Every payload in one string."""
    return " | ".join(ssti(marker) if k == "ssti" else v for k, v in PAYLOADS.items())


def _box(x0: float, y0: float, x1: float, y1: float) -> list:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _feature(props: dict, gtype: str, coords: list) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": gtype, "coordinates": coords}}


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string


def make_hostile_workspace(root: Path, payload: str, *, description: str | None = None) -> Path:
    """Write the workspace into ``root`` (created) and return ``root``.

    ``description``, when given, replaces the payload in the records'
    descriptions only (``desc:<description>``).

    Top-level districts ``A`` (name ``dname:<payload>``) and ``B<payload>``;
    streets ``<top>-1<payload>`` named ``street:<payload>``; communities named
    ``community:<payload>``; alleys ``AL-<n><payload>``; issues ``X-<n><payload>``.
    """
    root = Path(root)
    (root / "records").mkdir(parents=True, exist_ok=True)
    districts, alleys, rows = [], [], []
    for k, top in enumerate(["A", f"B{payload}"]):
        x0 = 114.60 + 0.02 * k
        street = f"{top}-1{payload}"
        districts += [
            _feature({"id": top, "name": f"dname:{payload}", "parent": None}, "Polygon",
                     _box(x0, 33.60, x0 + 0.02, 33.62)),
            _feature({"id": street, "name": f"street:{payload}", "parent": top}, "Polygon",
                     _box(x0, 33.60, x0 + 0.02, 33.62)),
            _feature({"id": f"{street}-c", "name": f"community:{payload}", "parent": street},
                     "Polygon", _box(x0, 33.60, x0 + 0.02, 33.62)),
        ]
        for i in range(2):
            x, y = x0 + 0.005 + 0.008 * i, 33.605 + 0.008 * i
            fid = f"AL-{k}{i}{payload}"
            alleys.append(_feature({"id": fid, "name": f"fname:{payload}",
                                    "unit": f"funit:{payload}", "type": f"ftype:{payload}"},
                                   "LineString", [[x, y], [x + 0.003, y + 0.0004]]))
            rows.append([f"X-{k}{i}{payload}", "问题", f"{AS_OF - dt.timedelta(days=2)} 09:00",
                         x + 0.0001, y + 0.00002, "", f"cat:{payload}", f"desc:{payload if description is None else description}",
                         f"src:{payload}", f"unit:{payload}",
                         str(AS_OF + dt.timedelta(days=5)), "未整改", ""])
    for name, feats in (("districts", districts), ("alleys", alleys)):
        (root / f"{name}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
            encoding="utf-8")
    (root / "geotool.toml").write_text(
        f"[city]\nname = {_toml('city:' + payload)}\n\n"
        '[layers.districts]\npath = "districts.geojson"\n\n'
        '[layers.alleys]\npath = "alleys.geojson"\nunit = "unit"\ntype = "type"\n'
        f"label = {_toml('label:' + payload)}\nlabel_en = {_toml('label_en:' + payload)}\n\n"
        '[records]\npaths = ["records/*.csv"]\ncrs = "EPSG:4326"\n', encoding="utf-8")
    cols = ["record_id", "kind", "found_at", "lon", "lat", "feature_id", "category",
            "description", "source", "unit", "deadline", "status", "rectified_at"]
    with open(root / "records" / "records.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerows(rows)
    return root
