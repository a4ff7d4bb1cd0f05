"""The workspace config: a folder with a ``geotool.toml``.

A workspace names its city, its analysis defaults, its layers (``districts``
is required, every other ``[layers.X]`` is a ledger layer) and where its
records are. Paths are relative to the config file. See the README for the
full format.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from geotool._errors import ConfigError, CRSError, shown_path
from geotool.io.config_keys import config_datum, reject_unknown
from geotool.io.evaluation import EvaluationSpec, parse_evaluation
from geotool.io.record_files import matched_files, own_outputs, record_files
from geotool.io.records_spec import RecordsSpec, parse_records
from geotool.text import Note

__all__ = ["CONFIG_NAME", "PARAMETER_RANGES", "Defaults", "HistorySpec", "LayerSpec", "RecordsSpec",
           "Workspace",
           "load_config"]

CONFIG_NAME = "geotool.toml"


@dataclass(frozen=True)
class Defaults:
    """Analysis parameters; the ``[defaults]`` table overrides these values.

    Attributes
    ----------
    as_of : datetime.date or None
        Analysis date used when a command gets no ``--as-of``.
    window_days : int
        A place counts as inspected if a record touched it in the last N days.
    match_radius_m : float
        A record touches a ledger feature within this distance, in metres.
    reach_m : float
        An area farther than this from every record in the window is a blind spot.
    min_blindspot_m2 : float
        Blind-spot parts smaller than this (square metres) are dropped.
    recurrence_days : int
        An issue found again within N days after one of the same category
        was rectified at the same place makes the place recurring.
    """

    as_of: dt.date | None = None
    window_days: int = 7
    match_radius_m: float = 50.0
    reach_m: float = 300.0
    min_blindspot_m2: float = 10_000.0
    recurrence_days: int = 30

    def with_overrides(self, **kwargs: Any) -> Defaults:
        """Return a copy with the given non-``None`` values replaced (validated)."""
        given = {k: v for k, v in kwargs.items() if v is not None}
        return _validate_defaults(replace(self, **given), Note("where.command_line"))


#: The sane range of every analysis parameter: name -> (lowest, highest, unit), both ends
#: allowed except a lowest of 0 for a distance, which must be exceeded. A value outside
#: (from ``[defaults]`` or the command line) is a one-line error, before any work: far
#: beyond these, dates overflow pandas' nanosecond clock (2262-04-11) and buffers GEOS.
PARAMETER_RANGES: dict[str, tuple[Any, Any, str]] = {
    "as_of": (dt.date(1900, 1, 1), dt.date(2199, 12, 31), ""),
    "window_days": (1, 3_650, "days"),
    "match_radius_m": (0.0, 5_000.0, "m"),
    "reach_m": (0.0, 50_000.0, "m"),
    "min_blindspot_m2": (0.0, 1e10, "m²"),
    "recurrence_days": (1, 3_650, "days"),
    "workers": (1, 256, "processes"),  # --workers: a LocalCluster of this many processes
}
_OPEN_LOW = {"match_radius_m", "reach_m"}  # a distance of 0 m means nothing


@dataclass(frozen=True)
class LayerSpec:
    """One ``[layers.X]`` table.

    ``id``, ``name``, ``parent``, ``unit``, ``type`` and ``leader`` (the
    responsible leader, 责任领导/路长) name the file's attribute columns;
    ``crs`` overrides the file's CRS (needed for GCJ-02 and BD-09 data, which
    files label as WGS-84); ``layer`` picks one layer of a
    file holding several (a GeoPackage); ``label`` is the display name
    (``label_en`` in English output, else the key).
    """

    key: str
    path: Path
    id: str = "id"
    name: str = "name"
    parent: str = "parent"
    unit: str | None = None
    type: str | None = None
    leader: str | None = None
    label: str | None = None
    label_en: str | None = None
    crs: str | None = None
    sheet: str | None = None
    layer: str | None = None


@dataclass(frozen=True)
class ExtentSpec:
    """The ``[extent]`` table: where blind spots are looked for (one of three ways).

    ``path`` is a polygon file (建成区.geojson) with its own ``crs``/``layer``;
    ``layers`` names ``[layers.X]`` polygon ledgers whose union is the
    extent; ``buffer_m`` is the area within that many metres of any ledger
    feature.
    """

    path: Path | None = None
    crs: str | None = None
    layer: str | None = None
    layers: tuple[str, ...] = ()
    buffer_m: float | None = None


@dataclass(frozen=True)
class CheckSpec:
    """The ``[check]`` table: the grid/community polygon layer of the responsibility check."""

    layer: str
    min_area_m2: float = 1.0


@dataclass(frozen=True)
class HistorySpec:
    """The ``[history]`` table: where saved snapshots go.

    ``path`` is a GeoPackage (default ``history.gpkg`` in the workspace);
    ``url`` a ``postgresql://`` database, used instead when given; ``save``
    makes ``geotool gaps`` save every run as if given ``--save``.
    """

    path: Path
    url: str | None = None
    save: bool = False


@dataclass(frozen=True)
class Workspace:
    """A parsed ``geotool.toml``."""

    root: Path
    config_path: Path
    city: str
    defaults: Defaults
    districts: LayerSpec
    ledgers: tuple[LayerSpec, ...]
    records: RecordsSpec
    evaluation: EvaluationSpec | None = None
    extent: ExtentSpec | None = None
    check: CheckSpec | None = None
    history: HistorySpec | None = None

    def record_files(self) -> list[Path]:
        """Files matched by ``[records] paths`` (:func:`~geotool.io.record_files.record_files`)."""
        return record_files(self.root, self.records.paths)

    def own_outputs(self) -> list[Path]:
        """Matched files a geotool run wrote (:func:`~geotool.io.record_files.own_outputs`)."""
        return own_outputs(matched_files(self.root, self.records.paths))


CONVERSION_DIR = "_conversion"  # `geotool convert`'s accounts and quarantine, beside the partitions

_TOP_KEYS = {"city", "defaults", "evaluation", "layers", "records", "extent", "history",
             "check"}
_LAYER_KEYS = {f.name for f in fields(LayerSpec)} - {"key"}
_DEFAULT_TYPES: dict[str, tuple[type[int] | type[float], ...]] = {
    "window_days": (int,),
    "match_radius_m": (int, float),
    "reach_m": (int, float),
    "min_blindspot_m2": (int, float),
    "recurrence_days": (int,),
}


def _validate_defaults(d: Defaults, where: str | Note, path: Path | None = None) -> Defaults:
    for name, types in _DEFAULT_TYPES.items():
        value = getattr(d, name)
        if isinstance(value, bool) or not isinstance(value, types):
            key = "config.not_whole_number" if types == (int,) else "config.not_number"
        elif not math.isfinite(value):
            key = "config.not_finite"
        elif value <= 0 and name != "min_blindspot_m2":
            key = "config.not_positive"
        elif value < 0:
            key = "config.negative"
        else:
            low, high, unit = PARAMETER_RANGES[name]
            if value <= high and (value > low or (value == low and name not in _OPEN_LOW)):
                continue
            raise ConfigError(Note("guard.out_of_range", where=where, name=name, value=value,
                                   low=f"{low:g}", high=f"{high:g}", unit=unit), path=path)
        raise ConfigError(Note(key, where=where, name=name, value=value), path=path)
    if d.as_of is not None:
        low, high, _ = PARAMETER_RANGES["as_of"]
        if not low <= d.as_of <= high:
            raise ConfigError(Note("guard.date_out_of_range", where=where, value=str(d.as_of),
                                   low=str(low), high=str(high)), path=path)
    return d


def parse_as_of(value: object, *, where: str = "as_of", path: Path | None = None) -> dt.date:
    """Parse an analysis date ``YYYY-MM-DD`` (a TOML date is accepted too)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(Note("config.bad_date", where=where, value=value), path=path) from None


def _defaults(table: Any, path: Path) -> Defaults:
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where="[defaults]"), path=path)
    allowed = {f.name for f in fields(Defaults)}
    reject_unknown(set(table), allowed, "[defaults]", path)
    values = dict(table)
    if "as_of" in values:
        values["as_of"] = parse_as_of(values["as_of"], where="[defaults] as_of", path=path)
    for key in ("match_radius_m", "reach_m", "min_blindspot_m2"):
        if isinstance(values.get(key), int) and not isinstance(values.get(key), bool):
            values[key] = float(values[key])
    return _validate_defaults(Defaults(**values), "[defaults]", path)


def _layer(key: str, table: Any, root: Path, path: Path) -> LayerSpec:
    where = f"[layers.{key}]"
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where=where), path=path)
    reject_unknown(set(table), _LAYER_KEYS, where, path)
    if "path" not in table:
        raise ConfigError(Note("config.needs_path", where=where), path=path)
    for name, value in table.items():
        if name == "crs" and isinstance(value, int) and not isinstance(value, bool):
            continue  # crs = 4326 means EPSG:4326
        if not isinstance(value, str):
            raise ConfigError(Note("config.not_string", where=where, name=name, value=value),
                              path=path)
    if not table["path"].strip():
        raise ConfigError(Note("config.empty_path", where=where), path=path)
    file = (root / table["path"]).resolve()
    if not file.exists():
        msg = Note("config.missing_file", where=where, given=table["path"], file=shown_path(file))
        raise ConfigError(msg, path=path)
    values = {k: v for k, v in table.items() if k != "path"}
    if "crs" in values:
        try:
            values["crs"] = config_datum(values["crs"])
        except CRSError as exc:
            raise ConfigError(Note("config.crs", where=where, reason=exc.message),
                              path=path) from None
    return LayerSpec(key=key, path=file, **values)


def _plain_url(url: str) -> bool:
    """Whether ``url`` parses, with one ``@`` at most before its host (a password's own
    ``@`` would be read as the host, and shown in the driver's message)."""
    from urllib.parse import urlsplit  # noqa: PLC0415 - only for a [history] url

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed host or port
    except ValueError:
        return False
    return parts.netloc.count("@") <= 1


def _history(table: Any, root: Path, path: Path) -> HistorySpec:
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where="[history]"), path=path)
    reject_unknown(set(table), {"path", "url", "save"}, "[history]", path)
    for name in ("path", "url"):
        value = table.get(name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(Note("config.not_string", where="[history]", name=name,
                                   value=value), path=path)
        if value is not None and not value.strip():
            raise ConfigError(Note("history.empty_setting", name=name), path=path)
    url = table.get("url")
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(Note("history.bad_url"), path=path)
    if url is not None and not _plain_url(url):
        raise ConfigError(Note("history.url_unparsable"), path=path)
    save = table.get("save", False)
    if not isinstance(save, bool):
        raise ConfigError(Note("history.bad_save", value=save), path=path)
    return HistorySpec(path=(root / table.get("path", "history.gpkg")).resolve(), url=url,
                       save=save)


def load_config(path: str | Path) -> Workspace:
    """Read and validate a workspace config.

    Parameters
    ----------
    path : str or Path
        The workspace folder or its ``geotool.toml``.

    Returns
    -------
    Workspace

    Raises
    ------
    ConfigError
        Missing file, TOML syntax error, unknown key (with a suggestion),
        wrong type, missing ``[layers.districts]``, or a layer file that
        does not exist.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.exists():
        raise ConfigError(Note("config.absent", name=CONFIG_NAME), path=path)
    if path.suffix.lower() != ".toml":  # a records file or a layer given as the workspace
        raise ConfigError(Note("config.not_a_workspace", name=CONFIG_NAME), path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(Note("config.bad_toml", detail=str(exc)), path=path) from None
    except UnicodeDecodeError:
        raise ConfigError(Note("config.not_utf8"), path=path) from None
    reject_unknown(set(data), _TOP_KEYS, Note("where.top_level"), path)
    root = path.parent.resolve()
    city = data.get("city", {})
    if not isinstance(city, dict):
        raise ConfigError(Note("config.not_table", where="[city]"), path=path)
    reject_unknown(set(city), {"name"}, "[city]", path)
    name = city.get("name", root.name)
    if not isinstance(name, str):
        raise ConfigError(Note("config.not_string", where="[city]", name="name", value=name),
                          path=path)
    layers = data.get("layers", {})
    if not isinstance(layers, dict) or "districts" not in layers:
        raise ConfigError(Note("config.no_districts"), path=path)
    specs = [_layer(key, layers[key], root, path) for key in layers]
    districts = next(s for s in specs if s.key == "districts")
    ledgers = tuple(s for s in specs if s.key != "districts")
    return Workspace(
        root=root,
        config_path=path.resolve(),
        city=name,
        defaults=_defaults(data.get("defaults", {}), path),
        districts=districts,
        ledgers=ledgers,
        records=parse_records(data.get("records", {}), path),
        evaluation=parse_evaluation(data.get("evaluation"), layers=[s.key for s in ledgers],
                                    path=path),
        extent=_extent(data["extent"], root, path, ledgers) if "extent" in data else None,
        check=_check(data["check"], path, ledgers) if "check" in data else None,
        history=_history(data.get("history", {}), root, path),
    )


def _check(table: Any, path: Path, ledgers: tuple[LayerSpec, ...]) -> CheckSpec:
    """``[check]``: ``layer`` names a ledger layer of grid cells; ``min_area_m2`` optional."""
    where = "[check]"
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where=where), path=path)
    reject_unknown(set(table), {"layer", "min_area_m2"}, where, path)
    known = [s.key for s in ledgers]
    layer = table.get("layer")
    if not isinstance(layer, str) or layer not in known:
        raise ConfigError(Note("check.bad_layer", value=layer, known=", ".join(known) or "-"),
                          path=path)
    value = table.get("min_area_m2", 1.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value) or value < 0:
        raise ConfigError(Note("config.negative", where=where, name="min_area_m2", value=value),
                          path=path)
    return CheckSpec(layer=layer, min_area_m2=float(value))


def _extent(table: Any, root: Path, path: Path, ledgers: tuple[LayerSpec, ...]) -> ExtentSpec:
    """``[extent]``: exactly one of ``path``, ``layers``, ``buffer_m``."""
    where = "[extent]"
    if not isinstance(table, dict):
        raise ConfigError(Note("config.not_table", where=where), path=path)
    reject_unknown(set(table), {"path", "crs", "layer", "layers", "buffer_m"}, where, path)
    ways = [k for k in ("path", "layers", "buffer_m") if k in table]
    if len(ways) != 1:
        raise ConfigError(Note("extent.one_way", given=", ".join(ways) or "-"), path=path)
    if "path" in table:
        spec = _layer("extent", dict(table), root, path)
        return ExtentSpec(path=spec.path, crs=spec.crs, layer=spec.layer)
    if "crs" in table or "layer" in table:
        raise ConfigError(Note("extent.crs_needs_path"), path=path)
    if "layers" in table:
        names = table["layers"]
        names = [names] if isinstance(names, str) else names
        known = [s.key for s in ledgers]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ConfigError(Note("extent.bad_layers", value=table["layers"],
                                   known=", ".join(known)), path=path)
        for name in names:
            if name not in known:
                raise ConfigError(Note("extent.bad_layers", value=name, known=", ".join(known)),
                                  path=path)
        return ExtentSpec(layers=tuple(names))
    value = table["buffer_m"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value) or value <= 0:
        raise ConfigError(Note("config.not_positive", where=where, name="buffer_m", value=value),
                          path=path)
    return ExtentSpec(buffer_m=float(value))
