"""Words of the evaluation-risk simulator (``risk.``) and the inspection route (``route.``)."""

from __future__ import annotations

RISK: dict[str, tuple[str, str]] = {
    # ---- config ----
    "risk.quota_layer": ("[evaluation.quotas] 的 {key!r} 不是台账图层（{hint}）",
                         "[evaluation.quotas] key {key!r} names no ledger layer ({hint})"),
    "risk.unknown_preset": ("[evaluation] 不认识的 preset {preset!r}（{hint}）",
                            "[evaluation] unknown preset {preset!r} ({hint})"),
    "risk.not_probability": ("{where} {name} = {value!r}：概率应在 0 到 1 之间",
                             "{where} {name} = {value!r}: a probability must lie in 0..1"),
    "risk.bad_scope": ("[evaluation] scope = {value!r}：请用 \"city\"（全市抽取）或 \"district\"（每区抽取）",
                       ("[evaluation] scope = {value!r}: use \"city\" (one draw for the city) or "
                       "\"district\" (one draw in every district)")),
    "risk.no_evaluation": ("工作区配置没有 [evaluation] 表：请加上，例如 preset = \"mock-2021\"（估计值，见 README）",
                           ("the workspace config has no [evaluation] table: add one, e.g. "
                           "preset = \"mock-2021\" (estimates, see the README)")),
    # ---- notes ----
    "risk.empty_quota": ("抽取配额 {key!r} 没有对应的点位，未抽取",
                         "quota {key!r} matches no place and draws nothing"),
    "risk.quota_too_big": ("抽取组 {key!r} 只有 {n} 处，少于配额 {quota}：全部抽取",
                           ("quota group {key!r} has only {n} place(s), fewer than its quota "
                           "{quota}: all are drawn")),
    "risk.estimate": ("抽取配额来自预设 {preset!r}：是根据以往（模拟）测评的估计值，不是官方配额",
                      ("quotas from preset {preset!r}: estimates from past (mock) evaluations, "
                      "not the official quotas")),
    # ---- command line ----
    "risk.written": ("测评风险已写入 {path}", "evaluation risk written to {path}"),
    "risk.summary": ("模拟 {draws:,d} 次测评（种子 {seed}）：全市预计失分 {loss:.2f}（P10 {p10:.2f}，P90 {p90:.2f}）",
                     ("{draws:,d} simulated evaluations (seed {seed}): the city is expected to "
                     "lose {loss:.2f} points (P10 {p10:.2f}, P90 {p90:.2f})")),
    "risk.top_place": ("{rank}. {name}（{layer} {fid}）：整改后预计少失 {drop:.3f} 分",
                       ("{rank}. {name} ({layer} {fid}): fixing it saves {drop:.3f} points "
                       "expected")),
    # ---- maps ----
    "risk.layer": ("测评风险", "Evaluation risk"),
    "risk.top_fix": ("优先整改（预计少失分）", "Fix first (expected points saved)"),
    "risk.expected_loss": ("测评预计失分", "Expected points lost"),
    # ---- route ----
    "route.bad_stops": ("--stops {stops!r}：请用 {kinds} 之一", "--stops {stops!r}: use one of {kinds}"),
    "route.needs_risk": ("--stops {stops}：需要工作区配置的 [evaluation] 表来估计测评风险",
                         ("--stops {stops}: needs the workspace's [evaluation] table to estimate "
                         "the evaluation risk")),
    "route.cut": ("{n} 处待查，按优先顺序保留前 {kept} 处（--max-stops）",
                  "{n} places to see: kept the first {kept} by priority (--max-stops)"),
    "route.bad_start": ("--start {value!r}：请写成 经度,纬度（WGS-84），例如 114.65,33.62",
                        "--start {value!r}: write LON,LAT (WGS-84), e.g. 114.65,33.62"),
    "route.no_stops": ("{district} 没有需要去的点位：不生成路线", "{district} has no place to visit: no route"),
    "route.start": ("出发点", "Start"),
    "route.back": ("返回出发点", "Back to start"),
    "route.summary": ("{district}：{n} 处，{km:.1f} 公里（直线距离）",
                      "{district}: {n} stop(s), {km:.1f} km (straight lines)"),
    "route.written": ("路线已写入 {path}", "route written to {path}"),
    "route.layer": ("晨查路线", "Inspection route"),
    "route.title": ("{district}晨查路线", "{district} inspection route"),
    # ---- headers ----
    "header.order": ("顺序", "Order"),
    "header.leg_km": ("距上一站（公里）", "From previous (km)"),
    "header.cumulative_km": ("累计（公里）", "Cumulative (km)"),
    "header.quota_group": ("抽取组", "Quota group"),
    "header.p_drawn": ("被抽中概率", "P(drawn)"),
    "header.p_fail": ("不合格概率", "P(fail)"),
    "header.expected_loss": ("预计失分", "Expected points lost"),
    "header.drop_if_fixed": ("今天整改可少失分", "Saved if fixed today"),
}
