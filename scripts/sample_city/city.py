"""Building the whole city and writing it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sample_city.bad_rows import bad_check_rows, bad_issue_rows, bad_update_rows, insert_rows
from sample_city.checker import verify_story
from sample_city.geometry import build_admin
from sample_city.ledgers import all_features, build_ledgers, pick_story
from sample_city.records import (
    apply_rules,
    ensure_d1_touched,
    fmt_minutes,
    issue_frame,
    life_cycles,
    make_checkins,
    make_issues,
    place_words,
    record_units,
    recurring_issues,
    reference_style,
    status_tables,
    suppress_recurrence,
)
from sample_city.words import SEED
from sample_city.writers import write_all


def build_records(rng, admin, feats, story) -> dict:
    """All three record tables (Chinese headers) plus the BAD_ROWS list."""
    checks = make_checkins(rng, feats, story)
    issues = pd.concat(
        [make_issues(rng, admin, feats, story), recurring_issues(rng, feats, story)],
        ignore_index=True,
    )
    checks, issues = apply_rules(rng, admin, feats, story, checks, issues)
    checks = ensure_d1_touched(rng, feats, story, checks)
    issues = life_cycles(rng, issues, feats, story)
    issues = suppress_recurrence(rng, issues, feats)
    issues = issues.sort_values(["t", "x"], kind="stable").reset_index(drop=True)
    issues["issue_id"] = [f"WT2026-{i + 1:05d}" for i in range(len(issues))]
    issues = record_units(reference_style(rng, issues, feats, story["rules"]), feats, admin)
    issues["place"] = place_words(rng, issues, feats)
    led, upd = status_tables(rng, issues)
    issue_tab = issue_frame(issues, led)
    upd_tab = issue_tab.iloc[upd.i.values].reset_index(drop=True)
    upd_tab["整改状态"] = upd.status.values
    upd_tab["整改完成时间"] = fmt_minutes(upd.done).values
    upd_tab["更新时间"] = fmt_minutes(upd.t_upd).values
    upd_tab = upd_tab.iloc[np.lexsort((upd_tab["问题编号"], upd_tab["更新时间"]))]
    checks = checks.sort_values(["t", "x"], kind="stable").reset_index(drop=True)
    checks = record_units(reference_style(rng, checks, feats, story["rules"]), feats, admin)
    check_tab = pd.DataFrame(
        {
            "记录编号": [f"XC2026-{i + 1:06d}" for i in range(len(checks))],
            "记录类型": checks.kind.values,
            "发现时间": fmt_minutes(checks.t).values,
            "经度": checks.lon.values,
            "纬度": checks.lat.values,
            "点位编号": checks.pid.values,
            "点位名称": checks.pname.values,
            "来源": checks.source.values,
            "责任单位": checks.unit.values,
            "所属区": checks.dname.values,
        }
    )
    upd_tab = upd_tab.reset_index(drop=True)
    bad_u = bad_update_rows(issue_tab, upd_tab)
    bad_i = bad_issue_rows(rng, admin, feats, story, issue_tab)
    bad_c = bad_check_rows(rng, admin, feats, story, check_tab)
    return {
        "issues": insert_rows(issue_tab, bad_i),
        "updates": insert_rows(upd_tab, bad_u),
        "checks": insert_rows(check_tab, bad_c),
        "story": story,
    }


def generate(out: Path, verify: bool = True) -> dict | None:
    """Build the whole sample city and write it to ``out``."""
    rng = np.random.default_rng(SEED)
    admin = build_admin(rng)
    ledgers, zone = build_ledgers(rng, admin)
    feats = all_features(ledgers)
    story = pick_story(rng, admin, feats, zone)
    records = build_records(rng, admin, feats, story)
    write_all(admin, ledgers, records, out)
    return verify_story(out, story) if verify else None
