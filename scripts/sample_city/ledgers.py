"""The ledger layers: alleys, markets, inspection points, compounds, and the story's picks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from sample_city.geometry import blind_zone, choice, core_weight, locate, person_name, sample_in
from sample_city.words import (
    ALLEY_PREFIXES,
    ALLEY_SUFFIX_W,
    ALLEY_SUFFIXES,
    BLIND_FROM_MIN,
    CN_NUM,
    COMPOUND_ESTATES,
    COMPOUND_UNITS,
    D1,
    D2,
    D3,
    D4,
    DISTRICTS,
    FORGOTTEN_FROM_MIN,
    HOSPITALS,
    MARKET_NAMES,
    METRIC_CRS,
    PARKS,
    SITES,
    STATIONS,
)


class Placer:
    """Places features without overlaps, each inside one district."""

    def __init__(self, admin: dict):
        self.admin = admin
        self.inner = [g.buffer(-15) for g in admin["districts"].geom_m]
        shapely.prepare(self.inner)
        self.polys: list = []  # markets and compounds placed so far
        self.lines: list = []  # alleys placed so far

    def fits_polygon(self, geom, district: int) -> bool:
        """True when the polygon lies inside ``district`` and clear of other features."""
        if not self.inner[district].contains(geom):
            return False
        if self.polys and shapely.dwithin(np.array(self.polys), geom, 25).any():
            return False
        return not (self.lines and shapely.intersects(np.array(self.lines), geom.buffer(8)).any())

    def fits_line(self, geom, district: int) -> bool:
        """True when the line lies in ``district``, crosses no polygon, doubles no alley."""
        if not self.inner[district].contains(geom):
            return False
        if self.polys and shapely.intersects(np.array(self.polys), geom.buffer(8)).any():
            return False
        if self.lines:
            shared = shapely.length(shapely.intersection(np.array(self.lines), geom.buffer(25)))
            if shared.max() > 40:
                return False
        return True


def diameter(geom) -> float:
    """The largest distance between two vertices of a geometry, in metres."""
    xy = shapely.get_coordinates(geom)
    return float(np.max(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))))


def rectangle(rng: np.random.Generator, x: float, y: float, lo: float, hi: float):
    """A rotated rectangle or irregular polygon, ``lo``..``hi`` metres across."""
    while True:
        geom = _block(rng, lo, hi)
        if lo <= diameter(geom) <= hi:
            break
    theta = 12 + rng.normal(0, 6) + (90 if rng.random() < 0.3 else 0)
    return affinity.translate(affinity.rotate(geom, theta, origin=(0, 0)), x, y)


def _block(rng: np.random.Generator, lo: float, hi: float):
    """An unrotated block at the origin: a rectangle or an irregular 5-6-gon."""
    w, h = rng.uniform(0.6 * lo, 0.8 * hi), rng.uniform(0.6 * lo, 0.8 * hi)
    if rng.random() < 0.3:  # irregular
        n = int(rng.integers(5, 7))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        pts = np.column_stack([np.cos(ang) * w / 2, np.sin(ang) * h / 2])
        geom = shapely.convex_hull(shapely.MultiPoint(pts))
        if geom.geom_type != "Polygon" or geom.area < lo * lo * 0.4:
            geom = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    else:
        geom = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    return geom


def place_polygons(
    rng, placer: Placer, quotas: dict, lo: float, hi: float, region_of=None, weight=core_weight
) -> list[tuple[int, object]]:
    """Place ``quotas[district]`` polygons per district; returns (district, geometry)."""
    out = []
    for d in sorted(quotas):
        region = region_of(d) if region_of else placer.admin["districts"].geom_m[d]
        placed = 0
        while placed < quotas[d]:
            ((x, y),) = sample_in(rng, region, 1, weight)
            geom = rectangle(rng, x, y, lo, hi)
            if placer.fits_polygon(geom, d):
                placer.polys.append(geom)
                out.append((d, geom))
                placed += 1
    return out


def alley_line(rng: np.random.Generator, x: float, y: float):
    """A 150-900 m line of 1-3 segments roughly along the city grid."""
    total = float(np.clip(rng.gamma(4.0, 100.0) + 150, 150, 880))
    n_seg = int(rng.integers(1, 4))
    lens = rng.dirichlet(np.ones(n_seg) * 3) * total
    theta = np.radians(12 + (90 if rng.random() < 0.5 else 0) + rng.normal(0, 5))
    pts = [(x, y)]
    for seg in lens:
        theta += np.radians(rng.normal(0, 12))
        pts.append((pts[-1][0] + seg * np.cos(theta), pts[-1][1] + seg * np.sin(theta)))
    return shapely.LineString(pts)


def make_alleys(rng, admin: dict, placer: Placer, quotas: dict) -> list[tuple[int, object]]:
    """Place the back alleys per district quota; returns (district, geometry)."""
    out = []
    for d in sorted(quotas):
        region = admin["districts"].geom_m[d]
        placed = 0
        while placed < quotas[d]:
            ((x, y),) = sample_in(rng, region, 1, lambda a, b: core_weight(a, b, 3500, 0.15))
            geom = alley_line(rng, x, y)
            if 150 <= geom.length <= 900 and placer.fits_line(geom, d):
                placer.lines.append(geom)
                out.append((d, geom))
                placed += 1
    return out


def unique_names(rng, prefixes, suffixes, weights, n: int, taken: set) -> list[str]:
    """``n`` unique names prefix+suffix not in ``taken`` (which is updated)."""
    out = []
    while len(out) < n:
        name = choice(rng, prefixes) + choice(rng, suffixes, weights)
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def unit_of_street(streets: pd.DataFrame, code: str) -> str:
    """The office of a street: XX街道办事处 or XX镇人民政府."""
    name = streets.set_index("code").name[code]
    return name + ("人民政府" if name.endswith("镇") else "办事处")


def build_alleys(rng, admin, placer, taken) -> gpd.GeoDataFrame:
    """The 背街小巷 ledger with names, units and road chiefs."""
    placed = make_alleys(rng, admin, placer, {D1: 115, D2: 100, D3: 60, D4: 65})
    geoms = [g for _, g in placed]
    d = np.array([q for q, _ in placed])
    _, street = locate(
        admin,
        *shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True)).T,
    )
    chiefs = [person_name(rng) for _ in range(90)]
    df = pd.DataFrame({"district": d, "street": street, "geometry": geoms})
    df["name"] = unique_names(rng, ALLEY_PREFIXES, ALLEY_SUFFIXES, ALLEY_SUFFIX_W, len(df), taken)
    dname = [DISTRICTS[q][1] for q in d]
    df["unit"] = [
        unit_of_street(admin["streets"], s) if rng.random() < 0.6 else dn + "城管局"
        for s, dn in zip(street, dname, strict=True)
    ]
    df["road_chief"] = [choice(rng, chiefs) for _ in range(len(df))]
    return finish_layer(df, "alleys", "BJ-{:04d}")


def finish_layer(df: pd.DataFrame, layer: str, id_fmt: str) -> gpd.GeoDataFrame:
    """Sort by district, street and position; number the ids; add the layer name."""
    rep = shapely.point_on_surface(df.geometry.values)
    df = df.assign(_y=-np.round(shapely.get_y(rep), -2), _x=np.round(shapely.get_x(rep), -2))
    df = df.sort_values(["district", "street", "_y", "_x"], kind="stable").reset_index(drop=True)
    df.insert(0, "fid", [id_fmt.format(i + 1) for i in range(len(df))])
    df["layer"] = layer
    return gpd.GeoDataFrame(df.drop(columns=["_x", "_y"]), geometry="geometry", crs=METRIC_CRS)


def build_markets(rng, admin, placer, taken) -> gpd.GeoDataFrame:
    """The 农贸市场 ledger: 14 market polygons 80-250 m across."""
    quotas = {d: len(MARKET_NAMES[d]) for d in range(4)}
    placed = place_polygons(
        rng, placer, quotas, 80, 250, weight=lambda a, b: core_weight(a, b, 3500, 0.3)
    )
    df = pd.DataFrame({"district": [d for d, _ in placed], "geometry": [g for _, g in placed]})
    df["street"] = locate(
        admin, *shapely.get_coordinates(shapely.point_on_surface(df.geometry.values)).T
    )[1]
    names = {d: list(MARKET_NAMES[d]) for d in range(4)}
    df["name"] = [names[d].pop(0) for d in df.district]
    taken.update(df.name)
    df["unit"] = [DISTRICTS[d][1] + "市场监管局" for d in df.district]
    return finish_layer(df, "markets", "SC-{:02d}")


def compound_names(rng, n: int, taken: set) -> list[str]:
    """Names of old compounds: XX家属院 and XX小区."""
    pool = [u + "家属院" for u in COMPOUND_UNITS] + [e + "小区" for e in COMPOUND_ESTATES]
    pool += [e + "新村小区" for e in COMPOUND_ESTATES[:12]]
    pool += [e + "花园小区" for e in COMPOUND_ESTATES[12:]]
    pool += [e + "苑小区" for e in COMPOUND_ESTATES[:10]]
    pool = [p for p in rng.permutation(pool) if p not in taken][:n]
    if len(pool) < n:
        msg = "not enough compound names"
        raise RuntimeError(msg)
    taken.update(pool)
    return pool


def build_compounds(rng, admin, placer, taken, zone) -> gpd.GeoDataFrame:
    """The 老旧小区 ledger: 120 polygons 60-200 m, 3 of them inside the blind zone."""
    placed = place_polygons(
        rng, placer, {D3: 3}, 60, 160, region_of=lambda d: zone.buffer(-120), weight=None
    )
    placed += place_polygons(
        rng,
        placer,
        {D1: 42, D2: 40, D3: 15, D4: 20},
        60,
        200,
        weight=lambda a, b: core_weight(a, b, 3000, 0.12),
    )
    df = pd.DataFrame({"district": [d for d, _ in placed], "geometry": [g for _, g in placed]})
    df["street"] = locate(
        admin, *shapely.get_coordinates(shapely.point_on_surface(df.geometry.values)).T
    )[1]
    df["name"] = compound_names(rng, len(df), taken)
    df["unit"] = [
        unit_of_street(admin["streets"], s) if rng.random() < 0.8 else DISTRICTS[d][1] + "住建局"
        for s, d in zip(df.street, df.district, strict=True)
    ]
    return finish_layer(df, "compounds", "XQ-{:03d}")


def point_specs(rng, admin: dict) -> list[dict]:
    """Type, name and unit of every inspection point, with a placement rule."""
    comms, streets = admin["comms"], admin["streets"]
    specs = [
        {
            "type": "社区",
            "name": n + "党群服务中心",
            "where": ("comm", i),
            "unit": unit_of_street(streets, s),
        }
        for i, (n, s) in enumerate(zip(comms.name, comms.street, strict=True))
    ]
    specs += [
        {
            "type": "新时代文明实践站",
            "name": n + "新时代文明实践所",
            "where": ("street", c),
            "unit": unit_of_street(streets, c),
        }
        for n, c in zip(streets.name, streets.code, strict=True)
    ]
    for i in sorted(rng.choice(len(comms), 20, replace=False).tolist()):
        specs.append(
            {
                "type": "新时代文明实践站",
                "name": comms.name[i] + "新时代文明实践站",
                "where": ("comm", i),
                "unit": unit_of_street(streets, comms.street[i]),
            }
        )
    schools = [f"示例市第{n}中学" for n in CN_NUM[:14]]
    schools += [f"示例市第{n}实验小学" for n in CN_NUM[:10]]
    schools += [p + "小学" for p in ALLEY_PREFIXES[:16]]
    specs += [{"type": "学校", "name": n, "unit": "{d}教育局"} for n in schools]
    specs += [{"type": "医院", "name": n, "unit": "示例市卫生健康委员会"} for n in HOSPITALS]
    specs += [{"type": "车站", "name": n, "unit": "示例市交通运输局"} for n in STATIONS]
    specs += [{"type": "公园广场", "name": n, "unit": "示例市城市管理局"} for n in PARKS[:22]]
    specs += [
        {"type": "政务服务大厅", "name": n, "unit": "示例市政务服务和大数据管理局"}
        for n in ["示例市政务服务中心", "示例市不动产登记中心"]
    ]
    specs += [
        {
            "type": "政务服务大厅",
            "name": n + "政务服务中心",
            "where": ("district", d),
            "unit": n + "政务服务中心",
        }
        for d, (_, n) in enumerate(DISTRICTS)
    ]
    specs += [
        {"type": "公共厕所", "name": p + "公厕", "unit": "{d}城管局"}
        for p in [q + "街" for q in ALLEY_PREFIXES[16:66]]
    ]
    specs += [
        {"type": "建筑工地", "name": n, "unit": "{d}住建局", "where": ("new", None)}
        for n in SITES[:10]
    ]
    return specs


def place_point(rng, admin: dict, spec: dict, zone) -> tuple[float, float]:
    """A metric location for one inspection point following its placement rule."""
    kind, arg = spec.get("where", ("city", None))
    if kind == "comm":
        region = admin["comms"].geom_m[arg].buffer(-60)
        return tuple(sample_in(rng, region, 1, lambda a, b: core_weight(a, b, 2500, 0.3))[0])
    if kind == "street":
        geom = admin["streets"].geom_m[admin["streets"].code == arg].iloc[0]
        return tuple(
            sample_in(
                rng, shapely.point_on_surface(geom).buffer(400).intersection(geom.buffer(-60)), 1
            )[0]
        )
    if kind == "district":
        geom = admin["districts"].geom_m[arg]
        return tuple(
            sample_in(
                rng, shapely.point_on_surface(geom).buffer(800).intersection(geom.buffer(-60)), 1
            )[0]
        )
    if kind == "zone":
        return tuple(sample_in(rng, zone.buffer(-100), 1)[0])
    if kind == "new":
        return tuple(
            sample_in(
                rng,
                admin["city_m"].buffer(-200),
                1,
                lambda a, b: 1.2 - core_weight(a, b, 3000, 0.2),
            )[0]
        )
    return tuple(
        sample_in(rng, admin["city_m"].buffer(-200), 1, lambda a, b: core_weight(a, b, 3500, 0.25))[
            0
        ]
    )


def build_points(rng, admin, placer, taken, zone) -> gpd.GeoDataFrame:
    """The 测评点位 ledger: about 280 points of 9 types (4 generic ones in the blind zone)."""
    specs = point_specs(rng, admin)
    generic = [i for i, s in enumerate(specs) if "where" not in s]
    for k, t in enumerate(["学校", "公共厕所", "公园广场", "公共厕所"]):
        i = next(i for i in generic if specs[i]["type"] == t and specs[i].get("where") is None)
        specs[i]["where"] = ("zone", k)
    rows = []
    for spec in specs:
        for _ in range(200):
            x, y = place_point(rng, admin, spec, zone)
            p = shapely.Point(x, y)
            if not (placer.polys and shapely.dwithin(np.array(placer.polys), p, 10).any()):
                break
        d, s = locate(admin, [x], [y])
        unit = spec["unit"].replace("{d}", DISTRICTS[d[0]][1])
        rows.append(
            {
                "district": d[0],
                "street": s[0],
                "name": spec["name"],
                "type": spec["type"],
                "unit": unit,
                "geometry": p,
            }
        )
    df = pd.DataFrame(rows)
    dup = df.name[df.name.duplicated() | df.name.isin(sorted(taken))]
    if len(dup):
        msg = f"duplicate point names: {dup.tolist()}"
        raise RuntimeError(msg)
    taken.update(df.name)
    return finish_layer(df, "points", "DW-{:04d}")


def build_ledgers(rng, admin) -> tuple[dict, shapely.Polygon]:
    """All four ledgers (metric GeoDataFrames) and the blind zone."""
    zone = blind_zone(admin)
    placer, taken = Placer(admin), set(admin["comms"].name) | set(admin["streets"].name)
    markets = build_markets(rng, admin, placer, taken)
    compounds = build_compounds(rng, admin, placer, taken, zone)
    alleys = build_alleys(rng, admin, placer, taken)
    points = build_points(rng, admin, placer, taken, zone)
    return {"alleys": alleys, "markets": markets, "points": points, "compounds": compounds}, zone


def all_features(ledgers: dict) -> gpd.GeoDataFrame:
    """One frame of every ledger feature: fid, layer, name, unit, district, street."""
    cols = ["fid", "layer", "name", "unit", "district", "street", "geometry"]
    feats = pd.concat(
        [ledgers[k][cols] for k in ("alleys", "markets", "points", "compounds")], ignore_index=True
    )
    return gpd.GeoDataFrame(feats, geometry="geometry", crs=METRIC_CRS)


def pick_story(rng, admin, feats: gpd.GeoDataFrame, zone) -> dict:
    """Choose the forgotten street, the never-visited features, the hot unit and
    the recurring markets, and derive the exclusion rules that make them true."""
    streets = admin["streets"]
    d1_geom = admin["districts"].geom_m[D1]
    cand = streets[
        (streets.district == D2) & (shapely.distance(streets.geom_m.values, d1_geom) > 300)
    ]
    n_alleys = feats[feats.layer == "alleys"].groupby("street").size()
    forgotten_street = max(cand.code, key=lambda c: (n_alleys.get(c, 0), c))
    forgotten = feats.fid[(feats.layer == "alleys") & (feats.street == forgotten_street)].tolist()
    hot_street = streets[(streets.district == D4) & streets.town].code
    if not len(hot_street):  # no town in 高新区: the outermost street
        hot_street = streets[streets.district == D4].code
    hot_street = hot_street.iloc[-1]
    markets_d4 = feats.fid[(feats.layer == "markets") & (feats.district == D4)].tolist()
    recurring = sorted(rng.choice(markets_d4, 3, replace=False).tolist())
    never = pick_never_visited(rng, feats, zone, set(forgotten) | set(recurring))
    never_geom = shapely.union_all(feats.geometry[feats.fid.isin(never)].buffer(60).values)
    forgotten_geom = shapely.union_all(feats.geometry[feats.fid.isin(forgotten)].buffer(60).values)
    rules = [  # (zone, from minute, target fids): no record may fall in zone from then on
        (never_geom, 0, set(never)),
        (forgotten_geom, FORGOTTEN_FROM_MIN, set(forgotten)),
        (zone.buffer(330), BLIND_FROM_MIN, set()),
    ]
    for geom, _, _ in rules:
        shapely.prepare(geom)
    return {
        "forgotten_street": forgotten_street,
        "forgotten": forgotten,
        "hot_unit": unit_of_street(streets, hot_street),
        "hot_street": hot_street,
        "recurring": recurring,
        "never": never,
        "rules": rules,
        "zone": zone,
    }


def pick_never_visited(rng, feats, zone, exclude: set) -> list[str]:
    """18 isolated features (>130 m from any other) that nobody will ever visit."""
    geoms = feats.geometry.values
    a, b = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=130)
    crowded = np.zeros(len(feats), bool)
    crowded[a[a != b]] = True
    ok = (
        ~crowded
        & ~feats.fid.isin(sorted(exclude)).values
        & ~shapely.intersects(geoms, zone.buffer(400))
    )
    slots = (
        [("alleys", d) for d in (D2, D3, D4, D2, D3, D4, D2)]
        + [("points", d) for d in (D1, D2, D3, D4, D2, D3)]
        + [("compounds", d) for d in (D2, D3, D4, D2)]
        + [("markets", D2)]
    )
    picked: list[str] = []
    for layer, d in slots:
        free = ok & (feats.layer.values == layer) & ~feats.fid.isin(picked).values
        pool = feats.fid.values[free & (feats.district.values == d)]
        if not len(pool):  # fall back to any district but the well-kept 川东区
            pool = feats.fid.values[free & (feats.district.values != D1)]
        if not len(pool):
            msg = f"no isolated {layer} left to leave unvisited"
            raise RuntimeError(msg)
        picked.append(str(choice(rng, pool)))
    return sorted(picked)
