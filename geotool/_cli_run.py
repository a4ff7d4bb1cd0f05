"""What the commands share (parameters, analysis run, warnings) and the risk and route commands."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from geotool._errors import ConfigError, printable
from geotool._progress import Stages
from geotool.io.early_read import EarlyRead
from geotool.text import tr

EXIT_OK, EXIT_UNUSABLE, EXIT_QUARANTINE, EXIT_INTERRUPTED = 0, 2, 3, 130


def _print_load_summary(loaded, lang: str) -> None:
    from geotool.output.report import load_summary_lines  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    for line in load_summary_lines(loaded, lang=lang):
        print(line)


def _warn_datum(loaded, lang: str) -> int:
    """One line on stderr per file the datum guard doubts; returns how many."""
    findings = getattr(loaded, "datum_findings", [])
    for finding in findings:
        print(f"geotool: {tr('cli.warning', lang)}: {finding.note().render(lang)}", file=sys.stderr)
    return len(findings)


def _as_of(args: argparse.Namespace, loaded) -> dt.date:
    return _as_of_for(args, loaded.workspace)


def _as_of_for(args: argparse.Namespace, ws) -> dt.date:
    as_of = args.as_of or ws.defaults.as_of
    if as_of is None:
        raise ConfigError(tr("cli.as_of_needed", args.lang), path=ws.config_path)
    return as_of


def _given(args: argparse.Namespace) -> dict[str, object]:
    """The analysis parameters given on the command line (``None`` when not given)."""
    names = ("as_of", "window_days", "match_radius_m", "reach_m", "min_blindspot_m2",
             "recurrence_days")
    return {name: getattr(args, name, None) for name in names}


def _check_given(args: argparse.Namespace) -> None:
    """Refuse out-of-range parameters before any file is read."""
    from geotool.io.config import Defaults  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    Defaults().with_overrides(**_given(args))


def _params(args: argparse.Namespace, loaded):
    return _params_for(args, loaded.workspace)


def _params_for(args: argparse.Namespace, ws):
    """The analysis parameters: the workspace's defaults, then the command line's."""
    return ws.defaults.with_overrides(**{**_given(args), "as_of": _as_of_for(args, ws)})


def _analyse(args: argparse.Namespace, workspace: Path, *, summary: bool, on_issues=None):
    """Load the workspace and run the analysis: in this process, or on dask when asked.

    ``on_issues``: :func:`~geotool.analysis.gaps.find_gaps`' hook (this process only).
    """
    _check_given(args)
    workers, scheduler = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if workers is not None and scheduler:
        raise ConfigError(tr("dask.both_options", args.lang))
    if workers is None and not scheduler:
        return _analyse_here(args, workspace, summary=summary, on_issues=on_issues)
    from geotool.analysis.distributed import dask_client  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    with dask_client(workers=workers, scheduler=scheduler) as client:  # fails fast if unreachable
        return _analyse_on(client, scheduler or tr("dask.local", args.lang, n=workers), args,
                           workspace, summary=summary)


def _analyse_here(args: argparse.Namespace, workspace: Path, *, summary: bool,
                  on_issues=None):
    # the record files are read while geopandas and the analysis are imported
    early = EarlyRead(workspace)
    import pandas as pd  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    from geotool.analysis.gaps import find_gaps  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.analysis.record_start import HeadStart  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.workspace import load_workspace  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    # the analysis's first steps start in a thread as soon as the records are read
    # (used only if the records and parameters are the ones analysed)
    head = HeadStart(lambda ws: _params_for(args, ws))
    with Stages(args.lang) as stages:
        stages.stage("progress.load")
        loaded = load_workspace(workspace, lang=args.lang, on_records=head, early=early)
    if summary:
        _print_load_summary(loaded, args.lang)
    _warn_datum(loaded, args.lang)
    _resolve_districts(args, loaded)
    params = _params(args, loaded)
    _warn_date_range(loaded, params.as_of, args.lang)
    later = int((loaded.records["found_at"] >= pd.Timestamp(params.as_of)
                 + pd.Timedelta(days=1)).sum())
    if later and summary:
        print(tr("cli.after_as_of", args.lang, n=later, as_of=params.as_of))
    with Stages(args.lang) as stages:
        stages.stage("progress.analyse")
        return find_gaps(loaded, params=params, head=head, on_issues=on_issues)


def _resolve_districts(args: argparse.Namespace, loaded) -> None:
    """``--district`` names or ids -> ids, before any work (an unknown one fails here).

    ``maps``: top-level districts; ``route``: one district of any level.
    """
    command = getattr(args, "command", None)
    if command not in ("maps", "route") or not getattr(args, "district", None):
        return
    from geotool.analysis.districts import resolve_district, resolve_districts  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    if command == "maps":
        args.district = resolve_districts(loaded.districts, args.district)
    else:
        args.district = resolve_district(loaded.districts, args.district)


def _analyse_on(client, where: str, args: argparse.Namespace, workspace: Path, *, summary: bool):
    from geotool.analysis.distributed import find_gaps_distributed, found_range  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.workspace import load_workspace  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    loaded = load_workspace(workspace, lang=args.lang, parquet="index")
    if summary:
        _print_load_summary(loaded, args.lang)
    _warn_datum(loaded, args.lang)
    _resolve_districts(args, loaded)
    params = _params(args, loaded)
    top = loaded.districts["level"] == loaded.districts["level"].min()
    print(tr("dask.cluster", args.lang, where=where, parts=int(top.sum())))
    result, stats = find_gaps_distributed(loaded, params=params, client=client)
    span = found_range(stats)
    if span is not None and (params.as_of < span[0] or (params.as_of - span[1]).days > 30):
        print(tr("cli.as_of_outside", args.lang, as_of=params.as_of, first=span[0],
                 last=span[1]), file=sys.stderr)
    if stats.after_as_of and summary:
        print(tr("cli.after_as_of", args.lang, n=stats.after_as_of, as_of=params.as_of))
    return result


def _warn_date_range(loaded, as_of: dt.date, lang: str) -> None:
    """Say so when the analysis date lies outside the records' dates (a likely typo)."""
    found = loaded.records["found_at"].dropna()
    if found.empty:
        return
    first, last = found.min().date(), found.max().date()
    if as_of < first or (as_of - last).days > 30:
        print(tr("cli.as_of_outside", lang, as_of=as_of, first=first, last=last), file=sys.stderr)


def _evaluation(workspace):
    """The workspace's ``[evaluation]`` table (or ``None``) and its config file."""
    from geotool.io.config import load_config  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    config = load_config(workspace)
    return config.evaluation, config.config_path


def cmd_risk(args: argparse.Namespace) -> int:
    """``geotool risk WORKSPACE --as-of D``: expected points lost and the places to fix first."""
    from geotool.analysis.risk import evaluation_risk  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.risk_files import risk_lines, write_risk  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    result = _analyse(args, Path(args.workspace), summary=False)
    spec, config_path = _evaluation(args.workspace)
    if spec is None:
        raise ConfigError(tr("risk.no_evaluation", args.lang), path=config_path)
    risk = evaluation_risk(result, spec, draws=args.draws, seed=args.seed)
    write_risk(risk, Path(args.out))
    labels = result.layer_labels_en if args.lang == "en" else result.layer_labels
    for line in risk_lines(risk, lang=args.lang, labels=labels):
        print(line)
    print(tr("risk.written", args.lang, path=args.out))
    return EXIT_OK


def _top_of(districts, district_id: str) -> str:
    """The top-level district that contains ``district_id`` (itself when top-level)."""
    parents = dict(zip(districts["district_id"].astype(str), districts["parent"], strict=True))
    node = district_id
    for _ in range(len(parents)):
        parent = parents.get(node)
        if parent is None or str(parent) not in parents or str(parent) in ("<NA>", "nan"):
            return node
        node = str(parent)
    return node


def cmd_route(args: argparse.Namespace) -> int:
    """``geotool route WORKSPACE --as-of D --district ID``: a short tour through places to see."""
    from geotool._atomic import write_atomic  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.analysis.risk import evaluation_risk  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.analysis.route import plan_route  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.render.district_map import district_map  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.render.extras import RouteOverlay  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.render.tiles import resolve_tiles  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.route_files import write_route  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    tiles = resolve_tiles(args.tiles)
    result = _analyse(args, Path(args.workspace), summary=False)
    spec, _ = _evaluation(args.workspace)
    risk = None
    if args.stops != "forgotten" and spec is not None:
        risk = evaluation_risk(result, spec, draws=1)
    route = plan_route(result, args.district, start=args.start, stops=args.stops,
                       max_stops=args.max_stops, risk=risk, closed=not args.one_way)
    for note in route.notes:
        print(printable(note.render(args.lang)))
    n = int((route.stops["order"] > 0).sum())
    name = printable(route.district_name)  # from the data: no ESC codes on the terminal
    if n == 0:
        print(tr("route.no_stops", args.lang, district=name))
        return EXIT_OK
    out = Path(args.out)
    write_route(route, out, lang=args.lang)
    page = district_map(result, _top_of(result.districts, args.district), lang=args.lang,
                        tiles=tiles, index_href=None, extras=[RouteOverlay(route)])
    write_atomic(out / "route.html", lambda tmp: tmp.write_text(page.html, encoding="utf-8"))
    print(tr("route.summary", args.lang, district=name, n=n, km=route.total_km))
    print(tr("route.written", args.lang, path=out))
    return EXIT_OK
