"""Words of the campaign memory: visit states, the history store, week-over-week diffs, trends."""

from __future__ import annotations

HISTORY: dict[str, tuple[str, str]] = {
    # ---- visit states (features.csv visit_state) ----
    "header.last_inspected": ("最近巡查打卡时间", "Last inspected"),
    "header.last_issue": ("最近发现问题时间", "Last issue found"),
    "header.visit_state": ("巡查情况", "Visit state"),
    "visit.clean": ("巡查无问题", "inspected, clean"),
    "visit.inspected": ("巡查有问题", "inspected, issues"),
    "visit.issues_only": ("仅有问题记录", "issues only"),
    "visit.not_recent": ("近期未巡查", "not visited lately"),
    "visit.never": ("从未巡查", "never visited"),
}
