"""Benchmark: ``geotool risk``'s simulator, and ``geotool route``'s tours against the best known.

Risk: times :func:`geotool.analysis.risk.evaluation_risk` (10,000 draws) on the
sample city and on synthetic cities of F places in D districts, and prints the
simulated mean next to the exact expectation.

Route: on random instances of 50-300 stops (metres, a 15 km square), times
:func:`geotool.analysis.route.solve_tour` at its default budget and compares
the tour with the best known one: the shortest of a 20 s fast-tsp run and,
when the ``elkai`` package (LKH-3, non-commercial licence, not a geotool
dependency) is installed, LKH with 10 runs.

Usage::

    python bench/bench_risk.py
    python bench/bench_risk.py --places 20000 --districts 50 --stops 50 150 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotool.analysis.gaps import GapResult, find_gaps
from geotool.analysis.risk import evaluation_risk
from geotool.analysis.route import solve_tour, tour_length
from geotool.io.config import Defaults
from geotool.io.evaluation import EvaluationSpec
from geotool.io.workspace import load_workspace

HERE = Path(__file__).resolve().parent
UTM = "EPSG:32650"


def synthetic_city(places: int, districts: int, seed: int = 1) -> GapResult:
    """Places of 4 layers and 10 types in a row of 2 km square districts."""
    rng = np.random.default_rng(seed)
    x0, y0 = 560_000.0, 3_700_000.0
    boxes = [shapely.box(x0 + 2000 * i, y0, x0 + 2000 * (i + 1), y0 + 2000)
             for i in range(districts)]
    wgs = gpd.GeoSeries(boxes, crs=UTM).to_crs("EPSG:4326")
    ids = [f"D{i:03d}" for i in range(districts)]
    d = gpd.GeoDataFrame({"district_id": ids, "name": ids, "level": 0, "parent": None},
                         geometry=wgs.values, crs="EPSG:4326")
    which = rng.integers(0, districts, places)
    x = x0 + 2000 * which + rng.uniform(0, 2000, places)
    y = y0 + rng.uniform(0, 2000, places)
    layer = rng.choice(["points", "alleys", "markets", "compounds"], places)
    ftype = np.where(layer == "points", rng.choice([f"t{i}" for i in range(10)], places), "")
    feats = gpd.GeoDataFrame({
        "layer": layer, "feature_id": [f"F{i}" for i in range(places)], "name": "p",
        "district": np.array(ids)[which], "covered": rng.random(places) < 0.8,
        "open_issues": rng.poisson(0.4, places), "type": pd.array(ftype, dtype="string"),
        "district_path": np.array(ids)[which]},
        geometry=gpd.GeoSeries(shapely.points(x, y), crs=UTM).to_crs("EPSG:4326").values,
        crs="EPSG:4326")
    issues = gpd.GeoDataFrame({"open": pd.Series([], dtype=bool), "feature_ids": []},
                              geometry=[], crs="EPSG:4326")
    blind = gpd.GeoDataFrame({"district_id": []}, geometry=[], crs="EPSG:4326")
    empty = pd.DataFrame()
    return GapResult(city="bench", params=Defaults(as_of=dt.date(2026, 10, 26)), features=feats,
                     districts=d, issues=issues, blindspots=blind, units=empty,
                     recurrences=empty, quarantine=empty, metric_crs=UTM)


def _risk_row(label: str, result, spec: EvaluationSpec, draws: int) -> None:
    evaluation_risk(result, spec, draws=10)  # warm up imports
    t = time.perf_counter()
    risk = evaluation_risk(result, spec, draws=draws, seed=1)
    wall = time.perf_counter() - t
    city = risk.districts.iloc[-1]
    se = city["std_loss"] / np.sqrt(draws)
    print(f"| {label} | {len(result.features):,d} | {draws:,d} | {wall:.2f} s | "
          f"{city['expected_loss']:.3f} | {city['simulated_mean_loss']:.3f} ± {se:.3f} |")


def bench_risk(places: int, districts: int, draws: int) -> None:
    print("| city | places | draws | wall | exact E[loss] | simulated mean ± SE |")
    print("|---|---:|---:|---:|---:|---:|")
    loaded = load_workspace(HERE.parent / "layers")
    sample = find_gaps(loaded, params=loaded.workspace.defaults)
    _risk_row("sample, preset mock-2021 + 20 undeclared cells", sample,
              loaded.workspace.evaluation, draws)
    prob = EvaluationSpec(declared=87, undeclared=20, p_fail_per_open_issue=0.5,
                          p_fail_forgotten=0.2, loss_per_failed_place=40 / 87)
    _risk_row("sample, probabilistic failures", sample, prob, draws)
    big = synthetic_city(places, districts)
    _risk_row(f"synthetic, {districts} districts, 87 declared, city scope", big,
              EvaluationSpec(declared=87, p_fail_per_open_issue=0.5, p_fail_forgotten=0.2),
              draws)
    _risk_row(f"synthetic, {districts} districts, 16 per district", big,
              EvaluationSpec(declared=16, scope="district", p_fail_per_open_issue=0.5),
              draws)


def _best_known(dist: np.ndarray) -> tuple[float, str]:
    import fast_tsp

    top = float(dist.max())
    scaled = np.rint(dist * (30_000 / top)).astype(np.int64)
    tour = fast_tsp.find_tour(scaled, duration_seconds=20.0)
    best, how = tour_length(dist, np.asarray(tour)), "fast-tsp 20 s"
    try:
        import elkai
    except ImportError:
        return best, how
    lkh = elkai.DistanceMatrix(np.rint(dist).astype(int).tolist()).solve_tsp(runs=10)
    length = tour_length(dist, np.asarray(lkh[:-1]))
    return (length, "LKH-3 (elkai)") if length < best else (best, how)


def bench_route(sizes: list[int]) -> None:
    print("| stops | solve_tour wall | tour km | best known km | gap | best known by |")
    print("|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        rng = np.random.default_rng(n)
        xy = rng.uniform(0, 15_000, (n, 2))
        dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        t = time.perf_counter()
        order = solve_tour(dist)
        wall = time.perf_counter() - t
        length = tour_length(dist, order)
        best, how = _best_known(dist)
        print(f"| {n} | {wall:.2f} s | {length / 1000:.2f} | {best / 1000:.2f} | "
              f"{100 * (length / best - 1):+.2f} % | {how} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--places", type=int, default=20_000)
    ap.add_argument("--districts", type=int, default=50)
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--stops", type=int, nargs="*", default=[50, 100, 200, 300])
    args = ap.parse_args()
    bench_risk(args.places, args.districts, args.draws)
    print()
    bench_route(args.stops)


if __name__ == "__main__":
    main()
