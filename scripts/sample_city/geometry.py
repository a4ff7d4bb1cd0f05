"""The city's ground: outline, communities (Voronoi cells), streets and districts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geotool.crs import wgs84_to_gcj02
from sample_city.words import (
    _TO_UTM,
    _TO_WGS,
    CITY_H_M,
    CITY_W_M,
    COMMUNITY_BASES,
    CORE,
    CX,
    CY,
    D1,
    D2,
    D3,
    D4,
    DISTRICTS,
    GIVEN_NAMES,
    STREET_POOLS,
    SURNAMES,
    VILLAGE_SUFFIXES,
)


def to_wgs(geoms):
    """Reproject shapely geometries from the metric CRS to WGS-84 (lon, lat)."""
    return shapely.transform(geoms, lambda c: np.column_stack(_TO_WGS.transform(c[:, 0], c[:, 1])))


def to_metric(geoms):
    """Reproject shapely geometries from WGS-84 to the metric CRS."""
    return shapely.transform(geoms, lambda c: np.column_stack(_TO_UTM.transform(c[:, 0], c[:, 1])))


def metric_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metric coordinates to GCJ-02 longitude/latitude rounded to 6 decimals."""
    lon, lat = _TO_WGS.transform(np.asarray(x, float), np.asarray(y, float))
    glon, glat = wgs84_to_gcj02(lon, lat)
    return np.round(glon, 6), np.round(glat, 6)


def choice(rng: np.random.Generator, items, weights=None, size=None):
    """rng.choice over a sequence with optional (unnormalised) weights."""
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    idx = rng.choice(len(items), size=size, p=p)
    return items[idx] if size is None else [items[i] for i in idx]


def person_name(rng: np.random.Generator) -> str:
    """A plausible Chinese personal name such as 张伟."""
    return choice(rng, SURNAMES) + choice(rng, GIVEN_NAMES)


def core_weight(x, y, scale_m: float = 3200.0, floor: float = 0.2):
    """Density in (0, 1]: high in the old core, ``floor`` far out."""
    d = np.hypot(np.asarray(x) - CORE[0], np.asarray(y) - CORE[1])
    return floor + (1 - floor) * np.exp(-((d / scale_m) ** 2))


def sample_in(rng: np.random.Generator, region, n: int, weight=None) -> np.ndarray:
    """Rejection-sample ``n`` points (n, 2) inside ``region`` with density ``weight(x, y)``."""
    minx, miny, maxx, maxy = region.bounds
    out = np.empty((0, 2))
    shapely.prepare(region)
    while len(out) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(64, 4 * n), 2))
        keep = shapely.contains_xy(region, xy[:, 0], xy[:, 1])
        if weight is not None:
            keep &= rng.random(len(xy)) < weight(xy[:, 0], xy[:, 1])
        out = np.vstack([out, xy[keep]])
    return out[:n]


def city_outline(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular closed outline, 14 km x 11 km, centred on the city centre."""
    ang = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    r = np.ones_like(ang)
    for k in range(2, 6):
        r += rng.uniform(0.015, 0.045) * np.cos(k * ang + rng.uniform(0, 2 * np.pi))
    x, y = r * np.cos(ang), r * np.sin(ang)
    x = (x - x.min()) / np.ptp(x) * CITY_W_M - CITY_W_M / 2 + CX
    y = (y - y.min()) / np.ptp(y) * CITY_H_M - CITY_H_M / 2 + CY
    return shapely.Polygon(np.column_stack([x, y]))


def community_seeds(rng: np.random.Generator, outline, spacing_m: float = 1100.0) -> np.ndarray:
    """Jittered-grid seeds inside the outline, thinned out away from the core."""
    minx, miny, maxx, maxy = outline.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, spacing_m), np.arange(miny, maxy, spacing_m))
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + spacing_m / 2
    xy += rng.uniform(-0.35, 0.35, size=xy.shape) * spacing_m
    inside = shapely.contains_xy(outline.buffer(-150), xy[:, 0], xy[:, 1])
    d = np.hypot(xy[:, 0] - CORE[0], xy[:, 1] - CORE[1])
    keep_p = np.clip(1 - (d - 3000) / 8000, 0.5, 1.0)
    return xy[inside & (rng.random(len(xy)) < keep_p)]


def voronoi_cells(seeds: np.ndarray, outline) -> list:
    """Voronoi cells of the seeds clipped to the outline, one Polygon per seed."""
    coll = shapely.voronoi_polygons(
        shapely.MultiPoint(seeds), extend_to=outline.buffer(5000), ordered=True
    )
    cells = [shapely.intersection(c, outline) for c in shapely.get_parts(coll)]
    for i, c in enumerate(cells):  # a concave outline can cut a cell in two
        if c.geom_type != "Polygon":
            parts = sorted(shapely.get_parts(c), key=lambda p: -p.area)
            cells[i] = parts[0]
            for stray in parts[1:]:
                j = max(
                    (k for k in range(len(cells)) if k != i),
                    key=lambda k: shapely.length(shapely.intersection(cells[k], stray)),
                )
                cells[j] = shapely.union(cells[j], stray)
    return cells


def adjacency(cells: list) -> list[list[int]]:
    """Neighbour lists of polygons that share an edge longer than 5 m."""
    tree = shapely.STRtree(cells)
    left, right = tree.query(cells, predicate="intersects")
    adj: list[list[int]] = [[] for _ in cells]
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j and shapely.length(shapely.intersection(cells[i], cells[j])) > 5:
            adj[i].append(j)
            adj[j].append(i)
    return [sorted(a) for a in adj]


def district_of_xy(x: float, y: float) -> int:
    """District by position: west of the river, the core disk, north or south."""
    dx, dy = x - CX, y - CY
    if dx < -1200 + 500 * np.sin(dy / 2000 + 0.5):
        return D2
    if np.hypot(x - CORE[0], y - CORE[1]) < 3000:
        return D1
    return D4 if (y - CORE[1]) > 0.15 * (x - CORE[0]) else D3


def components(members: list[int], adj: list[list[int]]) -> list[list[int]]:
    """Connected components of ``members`` in the adjacency graph, largest first."""
    todo, comps = set(members), []
    for m in members:
        if m not in todo:
            continue
        comp, stack = [], [m]
        todo.discard(m)
        while stack:
            k = stack.pop()
            comp.append(k)
            for n in adj[k]:
                if n in todo:
                    todo.discard(n)
                    stack.append(n)
        comps.append(sorted(comp))
    return sorted(comps, key=lambda c: (-len(c), c[0]))


def assign_districts(cells: list, adj: list[list[int]]) -> np.ndarray:
    """District index per community, repaired so that every district is contiguous."""
    cent = shapely.centroid(cells)
    dist = np.array([district_of_xy(p.x, p.y) for p in cent])
    for _ in range(10):
        moved = False
        for d in range(4):
            for comp in components(np.flatnonzero(dist == d).tolist(), adj)[1:]:
                for k in comp:
                    border = {}
                    for n in adj[k]:
                        if dist[n] != d:
                            border[dist[n]] = border.get(dist[n], 0) + shapely.length(
                                shapely.intersection(cells[k], cells[n])
                            )
                    dist[k] = max(sorted(border), key=lambda b: border[b])
                    moved = True
        if not moved:
            return dist
    msg = "could not make the districts contiguous"
    raise RuntimeError(msg)


def grow_streets(
    rng: np.random.Generator, members: list[int], adj, cent: np.ndarray, n_streets: int
) -> dict[int, int]:
    """Split a district's communities into contiguous streets of 3-5 communities."""
    for _ in range(500):
        seeds = [members[rng.integers(len(members))]]
        while len(seeds) < n_streets:
            d = np.min([np.hypot(*(cent[members] - cent[s]).T) for s in seeds], axis=0)
            seeds.append(members[int(np.argmax(d))])
        label = {s: k for k, s in enumerate(seeds)}
        size = [1] * n_streets
        while len(label) < len(members):
            grown = False
            for k in sorted(range(n_streets), key=lambda q: (size[q], q)):
                front = sorted(
                    {
                        n
                        for m, q in label.items()
                        if q == k
                        for n in adj[m]
                        if n in members and n not in label
                    }
                )
                if front and size[k] < 5:
                    pick = min(front, key=lambda n: np.hypot(*(cent[n] - cent[seeds[k]])))
                    label[pick], size[k], grown = k, size[k] + 1, True
                    break
            if not grown:
                break
        if len(label) == len(members) and min(size) >= 3:
            return label
    msg = f"could not split {len(members)} communities into {n_streets} streets"
    raise RuntimeError(msg)


def round_polygons(geoms_metric) -> np.ndarray:
    """To WGS-84, snapped to a 1e-6 degree grid (stays valid)."""
    return shapely.set_precision(to_wgs(np.asarray(geoms_metric)), 1e-6)


def name_admin(rng, dist, street_of, cent) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes and names of streets and communities; returns (streets, communities)."""
    core_d = np.hypot(cent[:, 0] - CORE[0], cent[:, 1] - CORE[1])
    bases = list(rng.permutation(COMMUNITY_BASES))
    villages = [s + v for s in rng.permutation(SURNAMES) for v in rng.permutation(VILLAGE_SUFFIXES)]
    villages = list(dict.fromkeys(villages))
    streets, comms = [], []
    for d, (dcode, _) in enumerate(DISTRICTS):
        keys = sorted({street_of[i] for i in range(len(dist)) if dist[i] == d})
        mean_d = {k: core_d[street_of == k].mean() for k in keys}
        urban, towns = (list(p) for p in STREET_POOLS[d])
        for s_idx, k in enumerate(sorted(keys, key=lambda q: (mean_d[q], q))):
            is_town = mean_d[k] > 5200 and towns
            sname = towns.pop(0) + "镇" if is_town else urban.pop(0) + "街道"
            scode = f"{dcode}{s_idx + 1:03d}"
            streets.append(
                {
                    "key": k,
                    "code": scode,
                    "name": sname,
                    "parent": dcode,
                    "district": d,
                    "town": bool(is_town),
                }
            )
            members = sorted(
                (i for i in range(len(dist)) if street_of[i] == k), key=lambda i: (core_d[i], i)
            )
            for c_idx, i in enumerate(members):
                cname = villages.pop(0) + "村" if is_town else bases.pop(0) + "社区"
                comms.append(
                    {
                        "idx": i,
                        "code": f"{scode}{c_idx + 1:03d}",
                        "name": cname,
                        "parent": scode,
                        "district": d,
                        "street": scode,
                    }
                )
    return pd.DataFrame(streets), pd.DataFrame(comms).sort_values("idx").reset_index(drop=True)


def build_admin(rng: np.random.Generator) -> dict:
    """Communities, streets and districts (WGS-84, rounded) plus metric copies."""
    outline = city_outline(rng)
    seeds = community_seeds(rng, outline)
    cells = voronoi_cells(seeds, outline)
    adj = adjacency(cells)
    dist = assign_districts(cells, adj)
    cent = shapely.get_coordinates(shapely.centroid(cells))
    street_of = np.zeros(len(cells), int)
    for d in range(4):
        members = np.flatnonzero(dist == d).tolist()
        n_streets = int(np.clip(round(len(members) / 4), 4, 6))
        for i, k in grow_streets(rng, members, adj, cent, n_streets).items():
            street_of[i] = d * 10 + k
    streets, comms = name_admin(rng, dist, street_of, cent)
    comms["geometry"] = round_polygons(cells)
    street_geoms = [
        shapely.union_all(comms.geometry[comms.street == c].values, grid_size=1e-6)
        for c in streets.code
    ]
    streets["geometry"] = street_geoms
    dist_geoms = [
        shapely.union_all(np.array(street_geoms)[streets.district == d], grid_size=1e-6)
        for d in range(4)
    ]
    districts = pd.DataFrame(
        {
            "code": [c for c, _ in DISTRICTS],
            "name": [n for _, n in DISTRICTS],
            "parent": None,
            "district": range(4),
            "geometry": dist_geoms,
        }
    )
    admin = {"comms": comms, "streets": streets, "districts": districts}
    check_admin(admin)
    for frame in admin.values():
        frame["geom_m"] = to_metric(frame.geometry.values)
    admin["city_m"] = shapely.union_all(admin["districts"].geom_m.values)
    return admin


def check_admin(admin: dict) -> None:
    """Raise unless the nesting is valid, gap-free, overlap-free and single-part."""
    comms, streets, districts = admin["comms"], admin["streets"], admin["districts"]
    allg = np.concatenate(
        [comms.geometry.values, streets.geometry.values, districts.geometry.values]
    )
    problems = []
    if not shapely.is_valid(allg).all():
        problems.append("invalid polygons")
    if (shapely.get_type_id(allg) != 3).any():
        problems.append("multi-part units")
    if not shapely.coverage_is_valid(comms.geometry.values):
        problems.append("communities overlap")
    city = shapely.union_all(districts.geometry.values)
    if shapely.get_num_interior_rings(city) or city.geom_type != "Polygon":
        problems.append("gaps in the city")
    for d in range(4):
        n_st = int((streets.district == d).sum())
        sizes = comms[comms.district == d].groupby("street").size()
        if not (4 <= n_st <= 6 and sizes.between(3, 5).all()):
            problems.append(f"district {d}: {n_st} streets, sizes {sizes.tolist()}")
    if problems:
        raise RuntimeError("; ".join(problems))


def locate(admin: dict, x, y) -> tuple[np.ndarray, np.ndarray]:
    """(district index, street code) of metric points; -1 / '' outside the city."""
    comms = admin["comms"]
    tree = shapely.STRtree(comms.geom_m.values)
    pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
    pi, ci = tree.query(pts, predicate="intersects")
    first = pd.Series(ci).groupby(pi).first()
    d = np.full(len(pts), -1)
    s = np.full(len(pts), "", dtype=object)
    d[first.index] = comms.district.values[first.values]
    s[first.index] = comms.street.values[first.values]
    return d, s


def blind_zone(admin: dict) -> shapely.Polygon:
    """A disk of 800 m radius deep inside 新城区, where the blind spot will be."""
    d3 = admin["districts"].geom_m[D3]
    minx, miny, maxx, maxy = d3.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, 100.0), np.arange(miny, maxy, 100.0))
    x, y = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(d3, x, y)
    x, y = x[inside], y[inside]
    depth = shapely.distance(shapely.points(x, y), d3.boundary)
    far_d1 = shapely.distance(shapely.points(x, y), admin["districts"].geom_m[D1])
    best = int(np.argmax(np.minimum(depth, 1100) + 0.001 * far_d1))
    zone = shapely.intersection(shapely.Point(x[best], y[best]).buffer(800, 32), d3)
    if zone.area < 1.7e6:
        msg = f"blind zone too small: {zone.area / 1e6:.2f} km2"
        raise RuntimeError(msg)
    return zone
