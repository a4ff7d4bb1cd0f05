"""The evaluation-risk simulator on hand-computable cases, against exact expectations."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geotool._errors import ConfigError
from geotool.analysis.gaps import GapResult
from geotool.analysis.risk import allocate, evaluation_risk, fail_probability, simulate_losses
from geotool.cli import main
from geotool.io.config import Defaults
from geotool.io.evaluation import PRESETS, EvaluationSpec, parse_evaluation
from geotool.output.risk_files import risk_lines

UTM = "EPSG:32650"  # metres; the city sits around x 500 km, y 3700 km


def _to_wgs(geoms) -> gpd.GeoSeries:
    return gpd.GeoSeries(geoms, crs=UTM).to_crs("EPSG:4326")


def make_result(places: list[dict], *, issues: list[tuple[float, float, str]] = (),
                blind: list[shapely.Geometry] = ()) -> GapResult:
    """A GapResult over two 1 km square districts A (x 0..1000) and B (x 1000..2000).

    ``places``: dicts with x, y (metres from the city's corner), layer, type, district,
    open (open issues), covered. ``issues``: open issues (x, y, feature id or "").
    """
    x0, y0 = 500_000.0, 3_700_000.0
    boxes = [shapely.box(x0, y0, x0 + 1000, y0 + 1000), shapely.box(x0 + 1000, y0, x0 + 2000,
                                                                   y0 + 1000)]
    districts = gpd.GeoDataFrame({"district_id": ["A", "B"], "name": ["甲区", "乙区"],
                                  "level": [0, 0], "parent": [None, None]},
                                 geometry=_to_wgs(boxes).values, crs="EPSG:4326")
    f = pd.DataFrame(places)
    feats = gpd.GeoDataFrame({
        "layer": f["layer"], "feature_id": [f"F{i}" for i in range(len(f))],
        "name": [f"place {i}" for i in range(len(f))], "district": f["district"],
        "unit": "u", "covered": f["covered"], "last_touched": pd.NaT, "records_in_window": 0,
        "open_issues": f["open"].astype(np.int64), "overdue_issues": 0, "recurring": False,
        "district_path": f["district"], "type": f["type"].astype("string")},
        geometry=_to_wgs(shapely.points(x0 + f["x"], y0 + f["y"])).values, crs="EPSG:4326")
    n = len(issues)
    ix = [x for x, _, _ in issues]
    iss = gpd.GeoDataFrame({
        "record_id": [f"I{i}" for i in range(n)], "feature_ids": [fid for _, _, fid in issues],
        "layers": "", "district": ["A" if x < 1000 else "B" for x in ix],
        "district_path": ["A" if x < 1000 else "B" for x in ix], "category": "卫生死角",
        "description": "", "source": "晨查", "unit": "u", "found_at": pd.Timestamp("2026-10-20"),
        "deadline": pd.NaT, "status": "open", "rectified_at": pd.NaT, "overdue": False,
        "days_open": 6, "recurring": False, "lon": 0.0, "lat": 0.0, "open": [True] * n},
        geometry=_to_wgs(shapely.points([x0 + x for x in ix], [y0 + y for _, y, _ in issues])
                         if issues else []).values, crs="EPSG:4326")
    blindspots = gpd.GeoDataFrame({"district_id": ["A"] * len(blind), "part": 1,
                                   "area_m2": [g.area for g in blind], "features_inside": 0,
                                   "uncovered_inside": 0, "feature_ids_inside": ""},
                                  geometry=_to_wgs([shapely.affinity.translate(g, x0, y0)
                                                    for g in blind]).values, crs="EPSG:4326")
    empty = pd.DataFrame()
    return GapResult(city="示例市", params=Defaults(as_of=dt.date(2026, 10, 26)), features=feats,
                     districts=districts, issues=iss, blindspots=blindspots, units=empty,
                     recurrences=empty, quarantine=empty, metric_crs=UTM)


def schools(fails: list[bool], district: str = "A", x: float = 100.0) -> list[dict]:
    return [{"x": x + 10 * i, "y": 500.0, "layer": "points", "type": "学校",
             "district": district, "open": int(fail), "covered": True}
            for i, fail in enumerate(fails)]


def three_se(sims: np.ndarray, exact: float) -> bool:
    return abs(sims.mean() - exact) <= 3 * sims.std(ddof=1) / np.sqrt(len(sims)) + 1e-12


# ---- the hypergeometric case ------------------------------------------------------------------

def test_two_of_four_schools_two_failing_lose_one_place_on_average():
    result = make_result(schools([True, True, False, False]))
    spec = EvaluationSpec(quotas={"points:学校": 2})
    risk = evaluation_risk(result, spec, draws=20_000, seed=7)
    city = risk.districts.iloc[-1]
    assert city["expected_loss"] == 1.0  # exact: 2 drawn x 2/4 failing
    sims = risk.losses.sum(axis=1)
    assert three_se(sims, 1.0)
    # the whole distribution is hypergeometric: P(0) = P(2) = 1/6, P(1) = 4/6
    for value, prob in ((0, 1 / 6), (1, 4 / 6), (2, 1 / 6)):
        freq = (sims == value).mean()
        assert abs(freq - prob) <= 3 * np.sqrt(prob * (1 - prob) / len(sims))
    assert abs(sims.var(ddof=1) - 1 / 3) < 0.02  # k p (1-p) (N-k)/(N-1) = 2 * 1/4 * 2/3
    assert risk.places["p_drawn"].tolist() == [0.5] * 4  # quota / n, exactly


def test_failing_places_lead_the_list_and_their_drop_is_their_share():
    result = make_result(schools([False, True, False, False]))
    risk = evaluation_risk(result, EvaluationSpec(quotas={"points": 1},
                                                  loss_per_failed_place=2.0), draws=100)
    top = risk.places.iloc[0]
    assert top["feature_id"] == "F1" and top["drop_if_fixed"] == pytest.approx(2.0 * 1 / 4)
    assert (risk.places["drop_if_fixed"].iloc[1:] == 0).all()


def test_probabilistic_failures_match_the_exact_mean_per_district():
    places = (schools([True, True, False, False, False], "A")
              + schools([True, False, False], "B", x=1100))
    places[2]["covered"] = False
    places[5]["open"] = 3
    spec = EvaluationSpec(quotas={"points": 4}, p_fail_per_open_issue=0.4, p_fail_forgotten=0.3,
                          loss_per_failed_place=0.5)
    risk = evaluation_risk(result := make_result(places), spec, draws=40_000, seed=3)
    p = fail_probability(np.array([1, 1, 0, 0, 0, 3, 0, 0]),
                         np.array([False, False, True] + [False] * 5),
                         p_fail_per_open_issue=0.4, p_fail_forgotten=0.3)
    exact_a, exact_b = 0.5 * 4 / 8 * p[:5].sum(), 0.5 * 4 / 8 * p[5:].sum()
    rows = risk.districts.set_index("district_id")
    assert rows.loc["A", "expected_loss"] == pytest.approx(exact_a, abs=1e-3)
    assert rows.loc["B", "expected_loss"] == pytest.approx(exact_b, abs=1e-3)
    assert three_se(risk.losses[:, 0], exact_a) and three_se(risk.losses[:, 1], exact_b)
    assert rows.loc["A", "expected_drawn"] == pytest.approx(4 * 5 / 8)
    assert result.features["district"].tolist() == ["A"] * 5 + ["B"] * 3


def test_district_scope_draws_the_quota_in_every_district():
    places = schools([True, False], "A") + schools([True, True, False, False], "B", x=1100)
    spec = EvaluationSpec(quotas={"points:学校": 1}, scope="district")
    risk = evaluation_risk(make_result(places), spec, draws=5_000, seed=1)
    rows = risk.districts.set_index("district_id")
    assert rows.loc["A", "expected_loss"] == 0.5 and rows.loc["B", "expected_loss"] == 0.5
    assert rows.loc["A", "expected_drawn"] == 1.0 and rows.loc["B", "expected_drawn"] == 1.0
    assert set(np.unique(risk.losses).tolist()) == {0.0, 1.0}  # one place per district


def test_a_quota_bigger_than_its_group_draws_all_and_says_so():
    risk = evaluation_risk(make_result(schools([True, False])),
                           EvaluationSpec(quotas={"points:学校": 5, "points:医院": 1}), draws=10)
    assert risk.places["p_drawn"].tolist() == [1.0, 1.0]
    assert (risk.losses.sum(axis=1) == 1.0).all()
    assert sorted(n.key for n in risk.notes) == ["risk.empty_quota", "risk.quota_too_big"]


def test_same_seed_same_figures_other_seed_other_draws():
    result = make_result(schools([True, False, True, False, False, True]))
    spec = EvaluationSpec(quotas={"points": 3}, p_fail_per_open_issue=0.5)
    a = evaluation_risk(result, spec, draws=500, seed=11)
    b = evaluation_risk(result, spec, draws=500, seed=11)
    c = evaluation_risk(result, spec, draws=500, seed=12)
    assert np.array_equal(a.losses, b.losses) and a.districts.equals(b.districts)
    assert not np.array_equal(a.losses, c.losses)


# ---- undeclared cells ---------------------------------------------------------------------------

def test_undeclared_cells_fail_where_open_issues_lie():
    # 100 m cells: district A has 100 of them, B 100; two open issues in one cell of A
    result = make_result(schools([False], "A"), issues=[(150, 150, "F0"), (160, 170, "")])
    spec = EvaluationSpec(quotas={"points": 0}, undeclared=10, undeclared_cell_m=100.0)
    risk = evaluation_risk(result, spec, draws=20_000, seed=5)
    rows = risk.districts.set_index("district_id")
    assert rows.loc["A", "undeclared_expected_loss"] == pytest.approx(10 / 200)
    assert rows.loc["B", "expected_loss"] == 0.0
    assert three_se(risk.losses[:, 0], 10 / 200)


def test_drop_if_fixed_is_what_fixing_the_place_really_saves():
    places = schools([True, False, True], "A")
    issues = [(100, 500, "F0"), (120, 500, "F2"), (820, 820, "")]
    blind = [shapely.box(800, 800, 900, 900)]
    spec = EvaluationSpec(quotas={"points": 2}, undeclared=30, p_fail_per_open_issue=0.6,
                          p_fail_forgotten=0.5)
    base = evaluation_risk(make_result(places, issues=issues, blind=blind), spec, draws=10)
    total = base.districts.iloc[-1]["expected_loss"]
    for fid in ("F0", "F2"):
        i = int(fid[1:])
        fixed = [dict(p, open=0, covered=True) if k == i else p for k, p in enumerate(places)]
        left = [iss for iss in issues if iss[2] != fid]
        after = evaluation_risk(make_result(fixed, issues=left, blind=blind), spec, draws=10)
        drop = base.places.set_index("feature_id").loc[fid, "drop_if_fixed"]
        assert total - after.districts.iloc[-1]["expected_loss"] == pytest.approx(drop, abs=2e-3)
        assert drop > spec.loss_per_failed_place * 2 / 3 * 0.6  # the cell adds to it


# ---- properties -----------------------------------------------------------------------------------

_place = st.fixed_dictionaries({
    "x": st.floats(10, 1990), "y": st.floats(10, 990),
    "layer": st.sampled_from(["points", "markets"]), "type": st.sampled_from(["学校", "医院", ""]),
    "open": st.integers(0, 3), "covered": st.booleans()})
_model = st.fixed_dictionaries({
    "p_fail_per_open_issue": st.one_of(st.none(), st.floats(0, 1)),
    "p_fail_forgotten": st.one_of(st.none(), st.floats(0, 1)),
    "scope": st.sampled_from(["city", "district"])})


def _placed(places):
    return [dict(p, district="A" if p["x"] < 1000 else "B") for p in places]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_place, min_size=1, max_size=12), _model, st.integers(0, 5), st.data())
def test_fixing_a_place_never_raises_expected_loss(places, model, quota, data):
    places = _placed(places)
    spec = EvaluationSpec(quotas={"points": quota, "markets:学校": quota}, **model)
    before = evaluation_risk(make_result(places), spec, draws=2).districts
    i = data.draw(st.integers(0, len(places) - 1))
    places[i] = dict(places[i], open=0, covered=True)
    after = evaluation_risk(make_result(places), spec, draws=2).districts
    assert (after["expected_loss"] <= before["expected_loss"] + 1e-9).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_place, min_size=1, max_size=12), _model, st.integers(0, 5), st.integers(1, 4))
def test_a_bigger_quota_never_lowers_expected_loss(places, model, quota, more):
    result = make_result(_placed(places))
    small = evaluation_risk(result, EvaluationSpec(quotas={"points": quota}, **model), draws=2)
    big = evaluation_risk(result, EvaluationSpec(quotas={"points": quota + more}, **model),
                          draws=2)
    assert (big.districts["expected_loss"] >= small.districts["expected_loss"] - 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(0, 60))
def test_allocation_spreads_exactly_the_total(sizes, total):
    s = pd.Series(sizes, index=[f"g{i}" for i in range(len(sizes))])
    out = allocate(s, total)
    assert out.sum() == min(total, sum(sizes)) and (out <= s.sort_index()).all()


def test_simulation_without_replacement_never_draws_more_than_there_are():
    g = pd.DataFrame({"stratum": ["s", "s"], "d": [0, 1], "p": [1.0, 1.0], "n": [1, 2],
                      "quota": [3, 3]})
    loss = simulate_losses(g, n_districts=2, draws=50, rng=np.random.default_rng(0),
                           loss_per_failed_place=1.0)
    assert (loss[:, 0] == 1).all() and (loss[:, 1] == 2).all()


# ---- config -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("table", "fragment"), [
    ({"quotas": {"shops": 2}}, "names no ledger layer"),
    ({"preset": "mock-2012"}, "did you mean 'mock-2021'"),
    ({"p_fail_forgotten": 1.5}, "a probability must lie in 0..1"),
    ({"scope": "province"}, "use \"city\""),
    ({"quota": {"points": 2}}, "did you mean 'quotas'"),
    ({"quotas": {"points": -1}}, "points"),
    ({"draws": 0}, "draws"),
])
def test_bad_evaluation_tables_name_the_key(table, fragment):
    with pytest.raises(ConfigError, match=None) as err:
        parse_evaluation(table, layers=["points", "alleys"], path=Path("geotool.toml"))
    assert fragment in str(err.value)


def test_presets_are_marked_estimates_and_keys_override_them():
    spec = parse_evaluation({"preset": "mock-2021", "undeclared": 5}, layers=["points"],
                            path=Path("g.toml"))
    assert spec.estimate and spec.declared == 87 and spec.undeclared == 5
    assert spec.loss_per_failed_place == pytest.approx(40 / 87)
    assert set(PRESETS) == {"mock-2021", "published-example", "city-mock-78"}
    assert replace(spec, quotas={"points": 1}).quotas == {"points": 1}


def test_risk_without_evaluation_table_is_one_line(tmp_path, sample_workspace, capsys):
    ws = tmp_path / "ws"
    import shutil

    shutil.copytree(sample_workspace, ws)
    text = (ws / "geotool.toml").read_text(encoding="utf-8")
    (ws / "geotool.toml").write_text(text.split("[evaluation]")[0], encoding="utf-8")
    assert main(["risk", str(ws), "--as-of", "2026-10-26", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "[evaluation]" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_risk_on_the_sample_city_ranks_places_by_what_fixing_saves(sample_workspace, tmp_path,
                                                                  capsys):
    out = tmp_path / "out"
    assert main(["risk", str(sample_workspace), "--as-of", "2026-10-26", "--draws", "2000",
                 "--seed", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "mock-2021" in printed and "1. " in printed
    districts = pd.read_csv(out / "risk.csv", encoding="utf-8-sig", dtype={"district_id": str})
    places = pd.read_csv(out / "risk_places.csv", encoding="utf-8-sig")
    assert len(districts) == 5 and districts["district_id"].isna().iloc[-1]
    city = districts.iloc[-1]
    assert city["expected_loss"] == pytest.approx(districts["expected_loss"].iloc[:-1].sum(),
                                                  abs=0.01)
    assert abs(city["simulated_mean_loss"] - city["expected_loss"]) <= 3 * city["std_loss"] / np.sqrt(2000)
    assert places["drop_if_fixed"].is_monotonic_decreasing
    assert places.loc[places["open_issues"] == 0, "expected_loss"].eq(0).all()


@pytest.mark.parametrize(("n", "k"), [(4, 2), (60, 30)])  # place by place, then by classes
def test_both_ways_of_drawing_are_hypergeometric(n, k):
    failing = n // 3
    g = pd.DataFrame({"stratum": ["s", "s"], "d": [0, 0], "p": [1.0, 0.0],
                      "n": [failing, n - failing], "quota": [k, k]})
    loss = simulate_losses(g, n_districts=1, draws=20_000, rng=np.random.default_rng(2),
                           loss_per_failed_place=1.0)[:, 0]
    mean = k * failing / n
    var = k * (failing / n) * (1 - failing / n) * (n - k) / (n - 1)
    assert three_se(loss, mean)
    assert abs(loss.var(ddof=1) - var) < 0.05 * var + 0.01


def test_place_by_place_draws_give_every_place_the_same_chance():
    from geotool.analysis.risk import _floyd

    pos = _floyd(10, 3, 30_000, np.random.default_rng(1))
    assert (np.sort(pos, axis=1)[:, 1:] != np.sort(pos, axis=1)[:, :-1]).all()  # distinct
    freq = np.bincount(pos.ravel(), minlength=10) / 30_000
    assert np.all(np.abs(freq - 0.3) <= 3 * np.sqrt(0.3 * 0.7 / 30_000))


def test_risk_lines_escape_place_names_from_the_data():
    result = make_result(schools([False, True]))
    result.features.loc[1, "name"] = "学校\x1b[2J\n伪造行"
    risk = evaluation_risk(result, EvaluationSpec(quotas={"points": 1}), draws=10)
    lines = risk_lines(risk, lang="zh")
    assert any("学校\\x1b[2J\\x0a伪造行" in line for line in lines)
    assert not any("\x1b" in line or "\n" in line for line in lines)
