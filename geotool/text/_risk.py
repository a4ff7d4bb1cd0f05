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
}
