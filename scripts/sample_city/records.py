"""The records: check-ins and issues over 8 weeks, their life cycles and statuses."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sample_city.geometry import choice, core_weight, locate, metric_to_gcj, sample_in
from sample_city.ledgers import unit_of_street
from sample_city.words import (
    ALLEY_PREFIXES,
    CHECK_SOURCES,
    CUTOFF_MIN,
    D1,
    D4,
    DAY,
    DEADLINE_DAYS,
    DESCRIPTIONS,
    DISTRICT_PARAMS,
    DISTRICTS,
    HOT_UNIT_PARAMS,
    ISSUE_SOURCES,
    ISSUE_TYPES,
    LAYER_ISSUE_WEIGHT,
    LAYER_VISIT_FACTOR,
    N_DAYS,
    START,
    TYPE_WEIGHTS,
    WINDOW_FROM_MIN,
)


def day_weights() -> np.ndarray:
    """Relative record volume per day: rising towards the evaluation, low at weekends."""
    d = np.arange(N_DAYS)
    ramp = 0.45 + 0.55 * (d / (N_DAYS - 1)) ** 1.3
    dow = (START + pd.to_timedelta(d, "D")).day_of_week.values
    return ramp * np.where(dow == 5, 0.6, np.where(dow == 6, 0.45, 1.0))


def minute_of_day(rng, sources: np.ndarray) -> np.ndarray:
    """Time of day in minutes: 晨查 06:30-09:30, reports 07:00-22:00, others office hours."""
    n = len(sources)
    office = np.where(rng.random(n) < 0.55, rng.uniform(510, 690, n), rng.uniform(870, 1050, n))
    t = np.where(sources == "晨查", rng.uniform(390, 570, n), office)
    t = np.where(sources == "群众举报", rng.uniform(420, 1320, n), t)
    return np.floor(t).astype(int)


def draw_sources(rng, days: np.ndarray, table) -> np.ndarray:
    """Sources per record; 模拟测评 (mock evaluation) only from the fourth week."""
    names, p = table
    src = np.array(choice(rng, np.array(names), p, size=len(days)), dtype=object)
    src[(src == "模拟测评") & (days < 21)] = "晨查"
    return src


def points_at(rng, feats: gpd.GeoDataFrame, idx: np.ndarray) -> np.ndarray:
    """Record locations (n, 2) near features ``idx``: on alleys +-noise, inside polygons,
    within 35 m of points."""
    out = np.zeros((len(idx), 2))
    layers = feats.layer.values[idx]
    geoms = feats.geometry.values[idx]
    line = layers == "alleys"
    p = shapely.line_interpolate_point(geoms[line], rng.random(line.sum()), normalized=True)
    noise = np.clip(rng.normal(0, 9, (line.sum(), 2)), -22, 22)
    out[line] = shapely.get_coordinates(p) + noise
    pt = layers == "points"
    r, a = rng.uniform(0, 35, pt.sum()), rng.uniform(0, 2 * np.pi, pt.sum())
    out[pt] = shapely.get_coordinates(geoms[pt]) + np.column_stack([r * np.cos(a), r * np.sin(a)])
    for i in np.flatnonzero(~line & ~pt):
        out[i] = sample_in(rng, geoms[i], 1)[0]
    return out


def make_checkins(rng, feats: gpd.GeoDataFrame, story: dict) -> pd.DataFrame:
    """Inspection check-ins (巡查 / 打卡): a Poisson number per feature and day."""
    base = np.array([DISTRICT_PARAMS[d]["checks"] for d in feats.district])
    base = base * feats.layer.map(LAYER_VISIT_FACTOR).values
    base[feats.fid.isin(story["never"]).values] = 0
    lam = np.outer(base, day_weights())
    counts = np.minimum(rng.poisson(lam), 3)
    fi, day = np.nonzero(counts)
    reps = counts[fi, day]
    fi, day = np.repeat(fi, reps), np.repeat(day, reps)
    src = draw_sources(rng, day, CHECK_SOURCES)
    is_alley = feats.layer.values[fi] == "alleys"
    kind = np.where(rng.random(len(fi)) < np.where(is_alley, 0.8, 0.35), "巡查", "打卡")
    xy = points_at(rng, feats, fi)
    return pd.DataFrame(
        {
            "kind": kind,
            "fi": fi,
            "t": day * DAY + minute_of_day(rng, src),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "source": src,
        }
    )


def street_spots(rng, admin, feats, district: int, n: int, story: dict) -> np.ndarray:
    """``n`` locations in a district more than 60 m from every ledger feature."""
    tree = shapely.STRtree(feats.geometry.values)
    region = admin["districts"].geom_m[district].buffer(-30)
    out = np.empty((0, 2))
    while len(out) < n:
        xy = sample_in(rng, region, 2 * n, lambda a, b: core_weight(a, b, 3500, 0.3))
        pts = shapely.points(xy)
        near = np.zeros(len(xy), bool)
        near[tree.query(pts, predicate="dwithin", distance=60)[0]] = True
        out = np.vstack([out, xy[~near]])
    return out[:n]


def make_issues(rng, admin, feats: gpd.GeoDataFrame, story: dict) -> pd.DataFrame:
    """Issues per district: 85 % at ledger features, 15 % at arbitrary street spots."""
    frames = []
    w_day = day_weights()
    for d in range(4):
        n = DISTRICT_PARAMS[d]["issues"]
        day = rng.choice(N_DAYS, n, p=w_day / w_day.sum())
        at_feature = rng.random(n) < 0.85
        mask = (feats.district.values == d) & ~feats.fid.isin(story["never"]).values
        w = feats.layer.map(LAYER_ISSUE_WEIGHT).values * mask
        w = w * np.where(feats.unit.values == story["hot_unit"], 4.0, 1.0)
        fi = np.where(at_feature, rng.choice(len(feats), n, p=w / w.sum()), -1)
        xy = np.zeros((n, 2))
        xy[at_feature] = points_at(rng, feats, fi[at_feature])
        xy[~at_feature] = street_spots(rng, admin, feats, d, int((~at_feature).sum()), story)
        frames.append(
            pd.DataFrame({"fi": fi, "day": day, "x": xy[:, 0], "y": xy[:, 1], "district": d})
        )
    iss = pd.concat(frames, ignore_index=True)
    iss["source"] = draw_sources(rng, iss.day.values, ISSUE_SOURCES)
    iss["t"] = iss.day * DAY + minute_of_day(rng, iss.source.values)
    layer = np.where(iss.fi >= 0, feats.layer.values[iss.fi.clip(0)], "street")
    iss["type"] = [choice(rng, ISSUE_TYPES, list(TYPE_WEIGHTS[k].values())) for k in layer]
    iss["kind"] = "问题"
    iss["pair"] = ""
    return iss.drop(columns="day")


def recurring_issues(rng, feats, story: dict) -> pd.DataFrame:
    """Two designed recurrence pairs per recurring market: fixed, then found again."""
    rows = []
    mk_types = np.array(["占道经营", "乱摆乱卖", "卫生死角", "乱堆乱倒", "乱停乱放"])
    for fid in story["recurring"]:
        fi = int(np.flatnonzero(feats.fid.values == fid)[0])
        for k, typ in enumerate(rng.choice(mk_types, 2, replace=False)):
            t0 = int((rng.integers(6, 16) + 16 * k) * DAY + rng.integers(420, 600))
            fix = t0 + int(rng.uniform(0.4, 1.8) * DAY)
            fix = (fix // DAY) * DAY + int(rng.integers(600, 1080))
            t1 = (fix // DAY + int(rng.integers(5, 18))) * DAY + int(rng.integers(420, 600))
            for t, role in ((t0, "first"), (t1, "again")):
                x, y = points_at(rng, feats, np.array([fi]))[0]
                rows.append(
                    {
                        "fi": fi,
                        "x": x,
                        "y": y,
                        "district": D4,
                        "source": "督导",
                        "t": t,
                        "type": typ,
                        "kind": "问题",
                        "designed": role,
                        "designed_fix": fix if role == "first" else -1,
                        "pair": f"{fid}/{k}",
                    }
                )
    return pd.DataFrame(rows)


def violates(rules, x, y, t, fi, feats) -> np.ndarray:
    """True where a record breaks an exclusion rule (place or target, from a time)."""
    bad = np.zeros(len(x), bool)
    fid = np.where(fi >= 0, feats.fid.values[np.clip(fi, 0, None)], "")
    for geom, t_from, targets in rules:
        late = t >= t_from
        bad |= late & shapely.contains_xy(geom, x, y)
        bad |= late & np.isin(fid, sorted(targets))
    return bad


def apply_rules(rng, admin, feats, story, checks, issues) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop feature records that break the story; move street spots elsewhere."""
    rules = story["rules"]
    checks = checks[
        ~violates(rules, checks.x.values, checks.y.values, checks.t.values, checks.fi.values, feats)
    ].reset_index(drop=True)
    for _ in range(20):
        bad = violates(
            rules, issues.x.values, issues.y.values, issues.t.values, issues.fi.values, feats
        )
        street = bad & (issues.fi.values < 0)
        if not street.any():
            break
        for d in range(4):
            m = street & (issues.district.values == d)
            if m.any():
                xy = street_spots(rng, admin, feats, d, int(m.sum()), story)
                issues.loc[m, "x"], issues.loc[m, "y"] = xy[:, 0], xy[:, 1]
    bad = violates(
        rules, issues.x.values, issues.y.values, issues.t.values, issues.fi.values, feats
    )
    return checks, issues[~bad].reset_index(drop=True)


def ensure_d1_touched(rng, feats, story, checks: pd.DataFrame) -> pd.DataFrame:
    """Add one check-in in the last 6 days for every 川东区 feature that lacks one."""
    recent = checks.fi[checks.t >= WINDOW_FROM_MIN + DAY].unique()
    need = np.flatnonzero(
        (feats.district.values == D1)
        & ~np.isin(np.arange(len(feats)), recent)
        & ~feats.fid.isin(story["never"]).values
    )
    if not len(need):
        return checks
    day = rng.integers(50, 56, len(need))
    src = draw_sources(rng, day, CHECK_SOURCES)
    xy = points_at(rng, feats, need)
    add = pd.DataFrame(
        {
            "kind": "打卡",
            "fi": need,
            "t": day * DAY + minute_of_day(rng, src),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "source": src,
        }
    )
    add = add[
        ~violates(story["rules"], add.x.values, add.y.values, add.t.values, add.fi.values, feats)
    ]
    return pd.concat([checks, add], ignore_index=True)


def daytime(t: np.ndarray, rng) -> np.ndarray:
    """Move times that fall at night (before 07:30 or after 20:00) to the next morning."""
    t = np.asarray(t, float)
    mod = t % DAY
    night = (mod < 450) | (mod > 1200)
    nxt = np.where(mod > 1200, (t // DAY + 1) * DAY, (t // DAY) * DAY)
    t = np.where(night, nxt + rng.uniform(480, 600, len(t)), t)
    return np.floor(t)


def life_cycles(rng, iss: pd.DataFrame, feats, story) -> pd.DataFrame:
    """Simulate when each issue is started, rectified, closed (销号) or reopened."""
    n = len(iss)
    hot = np.zeros(n, bool)
    atf = iss.fi.values >= 0
    hot[atf] = feats.unit.values[iss.fi.values[atf]] == story["hot_unit"]
    par = pd.DataFrame([DISTRICT_PARAMS[d] for d in iss.district])
    for k, v in HOT_UNIT_PARAMS.items():
        par.loc[hot, k] = v
    k_days = iss.type.map(DEADLINE_DAYS).values + (rng.random(n) < 0.3)
    np.seterr(invalid="ignore")  # inf times (never fixed) flow through daytime()
    found = iss.t.values.astype(float)
    delay = k_days * par.delay.values * rng.lognormal(0, 0.6, n) * DAY + 0.1 * DAY
    fixes = rng.random(n) < par.p_fix.values
    fix = np.where(fixes, daytime(found + delay, rng), np.inf)
    start = np.where(
        rng.random(n) < 0.55, daytime(found + 0.35 * np.minimum(delay, 20 * DAY), rng), np.inf
    )
    start = np.where(start >= fix, np.inf, start)
    close = np.where(
        rng.random(n) < par.p_close.values, daytime(fix + rng.uniform(1, 6, n) * DAY, rng), np.inf
    )
    reopen = np.where(
        rng.random(n) < 0.008, daytime(fix + rng.uniform(2, 10, n) * DAY, rng), np.inf
    )
    close = np.where(reopen < np.inf, np.inf, close)
    designed = iss.get("designed", pd.Series("", index=iss.index)).fillna("").values
    first = designed == "first"
    fix[first] = iss.designed_fix.values[first]
    start[first], close[first], reopen[first] = np.inf, np.inf, np.inf
    out = iss.copy()
    out["deadline_day"] = found // DAY + k_days
    out["t_start"], out["t_fix"], out["t_close"], out["t_reopen"] = start, fix, close, reopen
    return out


def events_of(row) -> list[tuple[float, str]]:
    """Status changes of one issue up to the export time, oldest first."""
    ev = [
        (row.t_start, "整改中"),
        (row.t_fix, "已整改"),
        (row.t_close, "已销号"),
        (row.t_reopen, "未整改"),
    ]
    return sorted((t, s) for t, s in ev if t <= CUTOFF_MIN)


def suppress_recurrence(rng, iss: pd.DataFrame, feats) -> pd.DataFrame:
    """Change issue types so that no feature sees the same type again within 31 days
    of a rectification, except the designed pairs at the recurring markets."""
    tree = shapely.STRtree(feats.geometry.values)
    pi, fi = tree.query(
        shapely.points(iss.x.values, iss.y.values), predicate="dwithin", distance=55
    )
    link = pd.DataFrame(
        {
            "i": np.concatenate([pi, np.flatnonzero(iss.fi.values >= 0)]),
            "f": np.concatenate([fi, iss.fi.values[iss.fi.values >= 0]]),
        }
    )
    link = link.drop_duplicates().sort_values(["i", "f"]).reset_index(drop=True)
    layer = np.where(iss.fi >= 0, feats.layer.values[iss.fi.clip(0)], "street")
    pair = iss["pair"].fillna("").values
    iss = iss.copy()
    t, fix = iss.t.values, iss.t_fix.values
    for _ in range(40):
        j = link.assign(type=iss.type.values[link.i], t=t[link.i], fix=fix[link.i])
        m = j.merge(j, on=["f", "type"], suffixes=("_a", "_b"))
        m = m[(m.fix_a < m.t_b) & (m.t_b <= m.fix_a + 31 * DAY) & (m.i_a != m.i_b)]
        m = m[~((pair[m.i_a] != "") & (pair[m.i_a] == pair[m.i_b]))]
        if m.empty:
            return iss
        victims = np.where(pair[m.i_b] == "", m.i_b, m.i_a)
        for i in sorted(set(victims[pair[victims] == ""].tolist())):
            mine = j[j.f.isin(j.f[j.i == i]) & (j.i != i)]
            before = (mine.fix < t[i]) & (t[i] <= mine.fix + 31 * DAY)
            after = (fix[i] < mine.t) & (mine.t <= fix[i] + 31 * DAY)
            busy = set(iss.type.values[mine.i[before | after]])
            types = [q for q in ISSUE_TYPES if q not in busy] or list(ISSUE_TYPES)
            iss.loc[i, "type"] = choice(rng, types, [TYPE_WEIGHTS[layer[i]][q] for q in types])
    msg = "could not remove accidental recurrences"
    raise RuntimeError(msg)


def fmt_minutes(t) -> pd.Series:
    """Minutes since 2026-09-01 00:00 as 'YYYY-MM-DD HH:MM' ('' for inf/NaN)."""
    t = pd.Series(np.asarray(t, float))
    ok = np.isfinite(t)
    out = pd.Series("", index=t.index, dtype=object)
    ts = START + pd.to_timedelta(t[ok], unit="min")
    out[ok] = ts.dt.strftime("%Y-%m-%d %H:%M").values
    return out


def reference_style(rng, rec: pd.DataFrame, feats, rules) -> pd.DataFrame:
    """How each row names its place: coordinates, id only (~5 %) or name only (~2 %)."""
    n = len(rec)
    atf = rec.fi.values >= 0
    u = rng.random(n)
    near_rule = np.zeros(len(feats), bool)
    for geom, _, _ in rules:
        near_rule |= shapely.intersects(feats.geometry.values, geom)
    pair = rec["pair"].fillna("").values if "pair" in rec else np.full(n, "")
    safe = atf & ~near_rule[np.clip(rec.fi.values, 0, None)] & (pair == "")
    style = np.where(safe & (u < 0.057), "id", np.where(safe & (u < 0.079), "name", "xy"))
    tag_p = np.select([rec.kind == "打卡", rec.kind == "巡查"], [0.9, 0.5], 0.35)
    tagged = atf & (rng.random(n) < tag_p)
    fi = np.clip(rec.fi.values, 0, None)
    rec = rec.copy()
    rec["style"] = style
    rec["pid"] = np.where((style == "id") | ((style == "xy") & tagged), feats.fid.values[fi], "")
    with_name = (style == "name") | ((style == "xy") & tagged) | ((style == "id") & (u < 0.03))
    rec["pname"] = np.where(atf & with_name, feats.name.values[fi], "")
    lon, lat = metric_to_gcj(rec.x.values, rec.y.values)
    rec["lon"] = np.where(style == "xy", lon, np.nan)
    rec["lat"] = np.where(style == "xy", lat, np.nan)
    return rec


def record_units(rec: pd.DataFrame, feats, admin) -> pd.DataFrame:
    """责任单位 and 所属区 of every record (street spots: the 城管局 or street office)."""
    d, s = locate(admin, rec.x.values, rec.y.values)
    fi = np.clip(rec.fi.values, 0, None)
    atf = rec.fi.values >= 0
    dist = np.where(atf, feats.district.values[fi], d)
    street_unit = np.array([unit_of_street(admin["streets"], c) if c else "" for c in s])
    alt = np.where(
        np.arange(len(rec)) % 3 == 0,
        street_unit,
        np.array([DISTRICTS[q][1] + "城管局" for q in dist]),
    )
    rec = rec.copy()
    rec["unit"] = np.where(atf, feats.unit.values[fi], alt)
    rec["dname"] = [DISTRICTS[q][1] for q in dist]
    return rec


def status_tables(rng, iss: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split life cycles into the ledger status (xlsx) and later updates (csv)."""
    events = [events_of(r) for r in iss.itertuples()]
    n_ev = np.array([len(e) for e in events])
    last_t = np.array([e[-1][0] if e else 0 for e in events])
    reopened = np.array([bool(e) and e[-1][1] == "未整改" for e in events])
    w = np.where(n_ev > 0, 1 + last_t / (10 * DAY), 0.0)
    w[reopened] = 0
    n_pick = 800 - int(reopened.sum())
    picked = np.zeros(len(iss), bool)
    picked[rng.choice(len(iss), n_pick, replace=False, p=w / w.sum())] = True
    picked |= reopened
    moved = np.where(picked, 1 + ((n_ev >= 2) & (rng.random(len(iss)) < 0.1) & ~reopened), 0)
    ledger, updates = [], []
    for i, (ev, k) in enumerate(zip(events, moved, strict=True)):
        kept = ev[: len(ev) - k]
        ledger.append(status_row(kept, iss.t_fix.values[i]))
        for j in range(len(ev) - k, len(ev)):
            st, done = status_row(ev[: j + 1], iss.t_fix.values[i])
            updates.append({"i": i, "status": st, "done": done, "t_upd": ev[j][0]})
    led = pd.DataFrame(ledger, columns=["status", "done"])
    return led, pd.DataFrame(updates)


def status_row(events: list, t_fix: float) -> tuple[str, float]:
    """(整改状态, 整改完成时间 minute or inf) after a list of events."""
    if not events:
        return "未整改", np.inf
    st = events[-1][1]
    return st, (t_fix if st in ("已整改", "已销号") else np.inf)


def issue_frame(iss: pd.DataFrame, led: pd.DataFrame) -> pd.DataFrame:
    """The issues table with Chinese headers (rows in 发现时间 order)."""
    desc = [
        DESCRIPTIONS[t][k % 2].format(p=p or "路口")
        for k, (t, p) in enumerate(zip(iss.type, iss.place, strict=True))
    ]
    return pd.DataFrame(
        {
            "问题编号": iss.issue_id.values,
            "记录类型": "问题",
            "发现时间": fmt_minutes(iss.t).values,
            "经度": iss.lon.values,
            "纬度": iss.lat.values,
            "点位编号": iss.pid.values,
            "点位名称": iss.pname.values,
            "问题类型": iss.type.values,
            "问题描述": desc,
            "来源": iss.source.values,
            "责任单位": iss.unit.values,
            "整改时限": (START + pd.to_timedelta(iss.deadline_day.values, "D")).strftime(
                "%Y-%m-%d"
            ),
            "整改状态": led.status.values,
            "整改完成时间": fmt_minutes(led.done).values,
            "所属区": iss.dname.values,
        }
    )


def place_words(rng, iss: pd.DataFrame, feats) -> np.ndarray:
    """The place named in a description: the feature, or a made-up crossing."""
    fi = np.clip(iss.fi.values, 0, None)
    roads = [p + "路" for p in ALLEY_PREFIXES[:40]]
    cross = [f"{choice(rng, roads)}与{choice(rng, roads)}交叉口" for _ in range(len(iss))]
    return np.where(iss.fi.values >= 0, feats.name.values[fi], cross)
