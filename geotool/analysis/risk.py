"""Evaluation risk: how many points the city may lose when the evaluators draw places.

Model (every figure comes from ``[evaluation]``, see :mod:`geotool.io.evaluation`):

* **The draw.** Declared places are drawn without replacement within each
  quota (a ledger layer or a ``layer:type``; per city or per district), so a
  place of a group of ``n`` with quota ``k`` is drawn with probability
  ``k / n``. ``undeclared`` further places are drawn from the area, as cells
  of ``undeclared_cell_m`` metres inside the districts.
* **Failure.** By default a drawn place fails exactly when it has at least one
  open issue as of the date. With ``p_fail_per_open_issue = q`` and
  ``p_fail_forgotten = r`` it fails with ``1 - (1 - q)^k (1 - r·forgotten)``
  (``k`` open issues; forgotten: nobody inspected it in the window; a cell is
  forgotten when its centre lies in a blind spot). Cells use the open issues
  inside them.
* **Loss.** Each failed drawn place costs ``loss_per_failed_place`` points.

The expected loss is exact (``Σ loss · k/n · p``); the distribution (std,
percentiles, probability above a threshold) is simulated, vectorised over
all draws with NumPy. A quota of ``k`` places is drawn without replacement
either place by place (Floyd's sampling, when ``k`` is small next to the
number of classes) or, places of one quota group, district and failure
probability being interchangeable, as one multivariate hypergeometric draw
over those classes followed by binomial failures: the same distribution.

Fixing a place today (closing its open issues and inspecting it) sets its
failure probability to 0: the district's expected loss drops by the
place's own term plus what its issues add to undeclared cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geotool._errors import ConfigError
from geotool.io.evaluation import EvaluationSpec
from geotool.text import Note

__all__ = ["DISTRICT_COLUMNS", "PLACE_COLUMNS", "RiskResult", "allocate", "evaluation_risk",
           "fail_probability", "simulate_losses"]

DISTRICT_COLUMNS = ["district_id", "name", "places", "expected_drawn", "expected_loss",
                    "std_loss", "p10_loss", "p50_loss", "p90_loss", "p_loss_over_threshold",
                    "simulated_mean_loss", "undeclared_expected_loss"]
PLACE_COLUMNS = ["layer", "feature_id", "name", "district", "type", "quota_group",
                 "open_issues", "covered", "p_drawn", "p_fail", "expected_loss",
                 "drop_if_fixed", "district_path"]


@dataclass
class RiskResult:
    """Evaluation risk as of a date.

    Attributes
    ----------
    districts : DataFrame
        One row per top-level district and a last row for the whole city
        (``district_id`` empty): :data:`DISTRICT_COLUMNS`. Losses in points.
    places : GeoDataFrame
        One row per declared place (:data:`PLACE_COLUMNS`), WGS-84, sorted by
        ``drop_if_fixed`` (largest first).
    losses : ndarray
        Simulated points lost, ``(draws, districts)``, columns in the order
        of ``districts`` (city row excluded).
    notes : list of Note
        Quotas larger than their group, groups without places.
    """

    as_of: dt.date
    spec: EvaluationSpec
    districts: pd.DataFrame
    places: gpd.GeoDataFrame
    losses: np.ndarray
    draws: int
    seed: int
    notes: list[Note] = field(default_factory=list)


def fail_probability(open_issues: np.ndarray, forgotten: np.ndarray, *,
                     p_fail_per_open_issue: float | None = None,
                     p_fail_forgotten: float | None = None) -> np.ndarray:
    """Probability that a drawn place fails.

    Parameters
    ----------
    open_issues : array of int
        Open issues at each place as of the date.
    forgotten : array of bool
        Nobody inspected the place in the window.
    p_fail_per_open_issue, p_fail_forgotten : float, optional
        Unset: a place fails exactly when it has an open issue (and a
        forgotten place without issues passes).

    Examples
    --------
    >>> fail_probability(np.array([0, 1, 2]), np.array([True, False, False])).tolist()
    [0.0, 1.0, 1.0]
    >>> p = fail_probability(np.array([0, 2]), np.array([True, False]), p_fail_per_open_issue=0.5,
    ...                      p_fail_forgotten=0.2)
    >>> np.round(p, 6).tolist()
    [0.2, 0.75]
    """
    k = np.asarray(open_issues, dtype=float)
    if p_fail_per_open_issue is None:
        p_issue = (k > 0).astype(float)
    else:
        p_issue = 1.0 - (1.0 - p_fail_per_open_issue) ** k
    r = 0.0 if p_fail_forgotten is None else p_fail_forgotten
    return 1.0 - (1.0 - p_issue) * (1.0 - r * np.asarray(forgotten, dtype=float))


def allocate(sizes: pd.Series, total: int) -> pd.Series:
    """Spread ``total`` draws over groups in proportion to their size (largest remainder).

    Ties go to the larger group, then to the group first in sorted order.

    Examples
    --------
    >>> allocate(pd.Series({"a": 6, "b": 3, "c": 1}), 5).to_dict()
    {'a': 3, 'b': 2, 'c': 0}
    """
    sizes = sizes.sort_index()
    if sizes.sum() <= 0 or total <= 0:
        return pd.Series(0, index=sizes.index, dtype=np.int64)
    exact = sizes.to_numpy(dtype=float) * min(total, int(sizes.sum())) / float(sizes.sum())
    base = np.floor(exact).astype(np.int64)
    rest = int(min(total, int(sizes.sum())) - base.sum())
    order = np.lexsort((np.arange(len(sizes)), -sizes.to_numpy(), -(exact - base)))
    base[order[:rest]] += 1
    return pd.Series(base, index=sizes.index)


def _group_keys(features: pd.DataFrame, spec: EvaluationSpec) -> tuple[pd.Series, dict, list]:
    """Quota key of every place ("" when no quota draws it) and the quota of every key."""
    layer = features["layer"].astype(str)
    ftype = features["type"].astype("string").fillna("").str.strip()
    typed = (layer + ":" + ftype).where(ftype != "", layer)
    notes: list[Note] = []
    if spec.quotas:
        quotas = dict(spec.quotas)
        key = pd.Series("", index=features.index, dtype=object)
        key[layer.isin(quotas).to_numpy()] = layer[layer.isin(quotas)]
        key[typed.isin(quotas).to_numpy()] = typed[typed.isin(quotas)]
        for name in sorted(set(quotas) - set(key)):
            notes.append(Note("risk.empty_quota", key=name))
        return key, quotas, notes
    sizes = typed.value_counts()
    quotas = allocate(sizes, spec.declared or 0).to_dict()
    return typed.astype(object), {k: int(v) for k, v in quotas.items()}, notes


def _strata(key: pd.Series, district: pd.Series, quotas: dict, scope: str) -> pd.Series:
    """The draw group of each place: its quota key, in its district with ``scope = "district"``.

    Written ``key@district`` for the notes, with the key's length in front so
    that no ``@`` in a type or a district name can make two groups one
    (``5:学校@老城@411602``); the quota is always looked up by the key itself.
    """
    if scope == "district":
        return (key.str.len().astype(str) + ":" + key + "@" + district).where(key != "", "")
    return key


def evaluation_risk(result, spec: EvaluationSpec, *, draws: int | None = None,
                    seed: int | None = None) -> RiskResult:
    """Expected points lost per district and which places to fix first.

    Parameters
    ----------
    result : GapResult
        From :func:`geotool.analysis.gaps.find_gaps` (its ``as_of`` is used).
    spec : EvaluationSpec
        The workspace's ``[evaluation]`` table.
    draws : int, optional
        Simulated evaluations (default ``spec.draws``).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng` (default ``spec.seed``);
        the same seed gives the same figures.

    Returns
    -------
    RiskResult

    Raises
    ------
    ConfigError
        When ``draws`` is not positive.
    """
    draws = spec.draws if draws is None else int(draws)
    seed = spec.seed if seed is None else int(seed)
    if draws < 1:
        raise ConfigError(Note("config.not_positive", where="--draws", name="draws", value=draws))
    feats = result.features.reset_index(drop=True)
    top = result.districts[result.districts["level"] == result.districts["level"].min()]
    d_ids = [str(i) for i in top["district_id"]]
    district = feats["district"].astype("string").fillna("").astype(str)
    d_index = pd.Index(d_ids).get_indexer(district)
    open_k = feats["open_issues"].to_numpy(dtype=np.int64)
    forgotten = ~feats["covered"].fillna(False).to_numpy(dtype=bool)
    p = fail_probability(open_k, forgotten, p_fail_per_open_issue=spec.p_fail_per_open_issue,
                         p_fail_forgotten=spec.p_fail_forgotten)
    key, quotas, notes = _group_keys(feats, spec)
    stratum = _strata(key, district, quotas, spec.scope)
    outside = (d_index < 0) & (stratum != "").to_numpy()
    if outside.any():  # no district loses points for them: neither figure draws them
        stratum = stratum.where(~outside, "")
        notes.append(Note("risk.outside_districts", n=int(outside.sum())))
    n_in = stratum.map(stratum.value_counts()).to_numpy(dtype=float)
    quota = key.map(lambda k: quotas.get(k, 0)).to_numpy(dtype=float)
    too_big = (quota > n_in) & (stratum != "").to_numpy()
    for name in sorted(set(stratum[too_big])):
        in_group = (stratum == name).to_numpy()
        group_key = str(key[in_group].iloc[0])
        shown = group_key if spec.scope != "district" else \
            f"{group_key}@{district[in_group].iloc[0]}"
        notes.append(Note("risk.quota_too_big", key=shown, n=int(in_group.sum()),
                          quota=int(quotas[group_key])))
    incl = np.where(stratum.to_numpy() != "", np.minimum(quota, n_in) / np.maximum(n_in, 1), 0.0)
    loss = spec.loss_per_failed_place
    expected = loss * incl * p

    cells, issue_cell = _undeclared_cells(result, d_ids, spec)
    cell_fixed = _cell_drop(result, feats, cells, issue_cell, spec)
    drop = expected + cell_fixed

    rng = np.random.default_rng(seed)
    groups = pd.DataFrame({"stratum": stratum.to_numpy(), "key": key.to_numpy(),
                           "d": d_index, "p": p})
    groups = groups[(groups["stratum"] != "").to_numpy() & (groups["d"] >= 0)]
    counts = groups.groupby(["stratum", "key", "d", "p"], sort=True).size().rename("n")
    counts = counts.reset_index()
    counts["quota"] = counts.pop("key").map(quotas)  # by the key: a type may hold an @
    if not cells.empty:
        ccounts = cells.groupby(["stratum", "d", "p"], sort=True).size().rename("n").reset_index()
        ccounts["quota"] = spec.undeclared
        counts = pd.concat([counts, ccounts], ignore_index=True)
    losses = simulate_losses(counts, n_districts=len(d_ids), draws=draws, rng=rng,
                             loss_per_failed_place=loss)
    table = _district_table(top, d_ids, d_index, incl, expected, cells, losses, spec)
    places = _place_table(feats, key, incl, p, expected, drop)
    return RiskResult(as_of=result.as_of, spec=spec, districts=table, places=places,
                      losses=losses, draws=draws, seed=seed, notes=notes)


def simulate_losses(groups: pd.DataFrame, *, n_districts: int, draws: int,
                    rng: np.random.Generator, loss_per_failed_place: float) -> np.ndarray:
    """Simulated points lost per draw and district.

    Parameters
    ----------
    groups : DataFrame
        One row per class of interchangeable places: ``stratum`` (the quota
        group it is drawn in), ``d`` (district column), ``p`` (failure
        probability), ``n`` (places), ``quota`` (places the stratum draws).
    n_districts : int
    draws : int
    rng : numpy.random.Generator
    loss_per_failed_place : float

    Returns
    -------
    ndarray
        ``(draws, n_districts)`` points lost.

    Examples
    --------
    Two of four schools fail, two schools are drawn: on average one fails.

    >>> g = pd.DataFrame({"stratum": ["s", "s"], "d": [0, 0], "p": [1.0, 0.0], "n": [2, 2],
    ...                   "quota": [2, 2]})
    >>> loss = simulate_losses(g, n_districts=1, draws=4000, rng=np.random.default_rng(0),
    ...                        loss_per_failed_place=1.0)
    >>> sorted(set(loss[:, 0].tolist())), bool(abs(loss.mean() - 1.0) < 0.05)
    ([0.0, 1.0, 2.0], True)
    """
    out = np.zeros((draws, n_districts))
    flats, weights = [], []
    for _, part in groups.groupby("stratum", sort=True):
        n = part["n"].to_numpy(dtype=np.int64)
        k = int(min(int(part["quota"].iloc[0]), int(n.sum())))
        if k == 0:
            continue
        p = part["p"].to_numpy(dtype=float)
        d = part["d"].to_numpy(dtype=np.int64)
        if k * k <= 200 * len(n):  # few places drawn from many classes: draw the places
            cls = np.searchsorted(np.cumsum(n), _floyd(int(n.sum()), k, draws, rng),
                                  side="right")
            failed = rng.random((draws, k)) < p[cls]
            flats.append((np.arange(draws)[:, None] * n_districts + d[cls]).ravel())
            weights.append(failed.ravel())
            continue
        drawn = rng.multivariate_hypergeometric(n, k, size=draws)
        if np.all((p == 0.0) | (p == 1.0)):  # the default model: no second random step
            failed = drawn * p.astype(np.int64)
        else:
            failed = rng.binomial(drawn, p)
        onehot = np.zeros((len(part), n_districts))
        onehot[np.arange(len(part)), d] = 1.0
        out += failed @ onehot
    if flats:  # one count over every place drawn place by place
        out += np.bincount(np.concatenate(flats), weights=np.concatenate(weights),
                           minlength=draws * n_districts).reshape(draws, n_districts)
    return out * loss_per_failed_place


def _floyd(total: int, k: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """``(draws, k)`` positions in ``range(total)``, each row ``k`` distinct (Floyd's sampling).

    Every k-subset is equally likely; the loop runs over the ``k`` places drawn,
    each step vectorised over all draws.
    """
    out = np.empty((draws, k), dtype=np.int64)
    for i, j in enumerate(range(total - k, total)):
        t = rng.integers(0, j + 1, size=draws)
        seen = (out[:, :i] == t[:, None]).any(axis=1)
        out[:, i] = np.where(seen, j, t)
    return out


@dataclass(frozen=True)
class _Grid:
    """Square cells of ``size`` metres from ``(x0, y0)``, ``nx`` per row, in ``crs``."""

    crs: object
    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    def keys(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ix = np.floor((x - self.x0) / self.size).astype(np.int64)
        iy = np.floor((y - self.y0) / self.size).astype(np.int64)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(inside, iy * self.nx + ix, -1)


def _open_issues(result) -> gpd.GeoDataFrame:
    issues = result.issues[result.issues["open"].fillna(False).astype(bool).to_numpy()]
    return issues[~(issues.geometry.isna() | issues.geometry.is_empty).to_numpy()]


def _undeclared_cells(result, d_ids: list[str], spec: EvaluationSpec
                      ) -> tuple[pd.DataFrame, np.ndarray]:
    """Cells off the ledgers and, per open issue, its cell's row (-1: none).

    Cells: ``d`` (district column), ``stratum``, ``p``, ``key``, ``open``, ``forgotten``.
    """
    issues = _open_issues(result)
    if spec.undeclared <= 0:
        return pd.DataFrame(columns=["d", "stratum", "p", "key", "open", "forgotten"]), \
            np.full(len(issues), -1)
    crs = result.metric_crs or result.districts.estimate_utm_crs()
    top = result.districts[result.districts["level"] == result.districts["level"].min()]
    geoms = top.to_crs(crs).geometry.to_numpy()
    size = float(spec.undeclared_cell_m)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    grid = _Grid(crs, x0, y0, size, max(int(np.ceil((x1 - x0) / size)), 1),
                 max(int(np.ceil((y1 - y0) / size)), 1))
    gx, gy = np.meshgrid(np.arange(grid.nx), np.arange(grid.ny), indexing="xy")
    cx, cy = x0 + (gx.ravel() + 0.5) * size, y0 + (gy.ravel() + 0.5) * size
    d = np.full(cx.shape, -1, dtype=np.int64)
    for i, geom in enumerate(geoms):  # a handful of districts, each tested on all cells at once
        d[(d < 0) & shapely.contains_xy(geom, cx, cy)] = i
    keep = d >= 0
    key = (gy.ravel() * grid.nx + gx.ravel())[keep]
    cx, cy, d = cx[keep], cy[keep], d[keep]
    pts = issues.to_crs(crs).geometry
    issue_cell = pd.Index(key).get_indexer(grid.keys(pts.x.to_numpy(), pts.y.to_numpy()))
    open_k = np.bincount(issue_cell[issue_cell >= 0], minlength=len(key))
    blind = result.blindspots
    forgotten = np.zeros(len(key), dtype=bool)
    if len(blind):
        union = shapely.union_all(blind.to_crs(crs).geometry.to_numpy())
        forgotten = shapely.contains_xy(union, cx, cy)
    p = fail_probability(open_k, forgotten, p_fail_per_open_issue=spec.p_fail_per_open_issue,
                         p_fail_forgotten=spec.p_fail_forgotten)
    stratum = pd.Series("~undeclared", index=np.arange(len(key)), dtype=object)
    if spec.scope == "district":
        stratum = "~undeclared@" + pd.Series(np.array(d_ids, dtype=object)[d])
    cells = pd.DataFrame({"d": d, "stratum": stratum.to_numpy(), "p": p, "key": key,
                          "open": open_k, "forgotten": forgotten})
    return cells, issue_cell


def _cell_inclusion(cells: pd.DataFrame, spec: EvaluationSpec) -> np.ndarray:
    n = cells.groupby("stratum")["d"].transform("size").to_numpy(dtype=float)
    return np.minimum(spec.undeclared, n) / n


def _cell_drop(result, feats: pd.DataFrame, cells: pd.DataFrame, issue_cell: np.ndarray,
               spec: EvaluationSpec) -> np.ndarray:
    """Per place: the undeclared cells' expected loss its open issues cause (points)."""
    out = np.zeros(len(feats))
    if cells.empty or not (issue_cell >= 0).any():
        return out
    issues = _open_issues(result)
    links = pd.DataFrame({"fid": issues["feature_ids"].astype(str).str.split(";").to_numpy(),
                          "cell": issue_cell}).explode("fid")
    links = links[(links["fid"] != "") & (links["cell"] >= 0)]
    places = pd.DataFrame({"fid": feats["feature_id"].astype(str).to_numpy(),
                           "place": np.arange(len(feats))})
    links = links.merge(places, on="fid")  # an id shared across layers names each place
    if links.empty:
        return out
    per = links.groupby(["place", "cell"]).size().rename("m").reset_index()
    c = per["cell"].to_numpy(dtype=np.int64)
    before = cells["p"].to_numpy()[c]
    after = fail_probability(cells["open"].to_numpy()[c] - per["m"].to_numpy(),
                             cells["forgotten"].to_numpy()[c],
                             p_fail_per_open_issue=spec.p_fail_per_open_issue,
                             p_fail_forgotten=spec.p_fail_forgotten)
    gain = spec.loss_per_failed_place * _cell_inclusion(cells, spec)[c] * (before - after)
    np.add.at(out, per["place"].to_numpy(dtype=np.int64), gain)
    return out


def _district_table(top: pd.DataFrame, d_ids: list[str], d_index: np.ndarray, incl: np.ndarray,
                    expected: np.ndarray, cells: pd.DataFrame, losses: np.ndarray,
                    spec: EvaluationSpec) -> pd.DataFrame:
    n = len(d_ids)
    valid = d_index >= 0
    exp_d = np.bincount(d_index[valid], weights=expected[valid], minlength=n)
    drawn_d = np.bincount(d_index[valid], weights=incl[valid], minlength=n)
    places = np.bincount(d_index[valid], minlength=n)
    und = np.zeros(n)
    if not cells.empty:
        ci = _cell_inclusion(cells, spec)
        cd = cells["d"].to_numpy(dtype=np.int64)
        # with weights, bincount gives floats (numpy's stub says intp for every call)
        und = cast(npt.NDArray[np.float64],
                   np.bincount(cd, weights=spec.loss_per_failed_place * ci * cells["p"].to_numpy(),
                               minlength=n))
        drawn_d = drawn_d + np.bincount(cd, weights=ci, minlength=n)
    city = losses.sum(axis=1, keepdims=True)
    sims = np.hstack([losses, city])
    names = [str(v) for v in top.set_index(top["district_id"].astype(str))["name"]
             .reindex(d_ids).fillna("")]
    q = np.percentile(sims, [10, 50, 90], axis=0)
    total = exp_d + und
    return pd.DataFrame({
        "district_id": [*d_ids, ""],
        "name": [*names, ""],
        "places": np.r_[places, places.sum()],
        "expected_drawn": np.round(np.r_[drawn_d, drawn_d.sum()], 3),
        "expected_loss": np.round(np.r_[total, total.sum()], 3),
        "std_loss": np.round(sims.std(axis=0, ddof=1) if len(sims) > 1 else 0.0 * q[0], 3),
        "p10_loss": np.round(q[0], 3), "p50_loss": np.round(q[1], 3),
        "p90_loss": np.round(q[2], 3),
        "p_loss_over_threshold": np.round((sims > spec.loss_threshold).mean(axis=0), 4),
        "simulated_mean_loss": np.round(sims.mean(axis=0), 3),
        "undeclared_expected_loss": np.round(np.r_[und, und.sum()], 3),
    })[DISTRICT_COLUMNS]


def _place_table(feats: gpd.GeoDataFrame, key: pd.Series, incl: np.ndarray, p: np.ndarray,
                 expected: np.ndarray, drop: np.ndarray) -> gpd.GeoDataFrame:
    out = pd.DataFrame({
        "layer": feats["layer"].astype(str), "feature_id": feats["feature_id"].astype(str),
        "name": feats["name"], "district": feats["district"], "type": feats["type"],
        "quota_group": key.to_numpy(), "open_issues": feats["open_issues"],
        "covered": feats["covered"], "p_drawn": np.round(incl, 6), "p_fail": np.round(p, 6),
        "expected_loss": np.round(expected, 6), "drop_if_fixed": np.round(drop, 6),
        "district_path": feats["district_path"]})
    gdf = gpd.GeoDataFrame(out, geometry=feats.geometry.values, crs=feats.crs)
    order = np.lexsort((gdf["feature_id"].to_numpy(), gdf["layer"].to_numpy(),
                        -gdf["drop_if_fixed"].to_numpy()))
    return gdf.iloc[order].reset_index(drop=True)
