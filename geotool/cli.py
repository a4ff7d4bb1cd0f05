"""The ``geotool`` command: a thin shell over the library.

Each command parses its arguments, calls the library and prints. Errors a
user can cause (:class:`geotool.GeotoolError`) print one line and exit 2; no
traceback reaches the user. Exit codes: 0 done, 2 unusable config or file,
3 ``validate --strict`` with quarantined rows, 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from geotool._argparse import Parser, examples_epilog, prescan_lang, wrap
from geotool._errors import ConfigError, GeotoolError
from geotool._progress import Stages
from geotool.text import tr

__all__ = ["main"]

EXIT_OK, EXIT_UNUSABLE, EXIT_QUARANTINE, EXIT_INTERRUPTED = 0, 2, 3, 130


def _date(text: str) -> dt.date:
    """An ``--as-of`` date in any form records accept (``2026-10-30``, ``2026/10/30``, ``2026年10月30日``)."""
    from geotool.io.parsing import parse_date

    try:
        return dt.date.fromisoformat(text.strip())  # any ISO date: its range is checked later
    except ValueError:
        pass
    value, _ = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(tr("arg.bad_date", Parser.lang, value=text))
    return value.date()


def _print_load_summary(loaded, lang: str) -> None:
    from geotool.output.report import load_summary_lines

    for line in load_summary_lines(loaded, lang=lang):
        print(line)


def _warn_datum(loaded, lang: str) -> int:
    """One line on stderr per file the datum guard doubts; returns how many."""
    findings = getattr(loaded, "datum_findings", [])
    for finding in findings:
        print(f"geotool: {tr('cli.warning', lang)}: {finding.note().render(lang)}", file=sys.stderr)
    return len(findings)


def cmd_validate(args: argparse.Namespace) -> int:
    """``geotool validate WORKSPACE``: load everything and account for every row."""
    from geotool.io.workspace import load_workspace
    from geotool.output.report import write_quarantine

    loaded = load_workspace(args.workspace, lang=args.lang)
    _print_load_summary(loaded, args.lang)
    doubts = _warn_datum(loaded, args.lang)
    q = len(loaded.quarantine)
    stale = Path(args.out) / "quarantine.csv"
    _write_flagged(loaded, Path(args.out), args.lang)
    if q:
        path = write_quarantine(loaded.quarantine, Path(args.out), lang=args.lang)
        print(tr("cli.quarantine_written", args.lang, path=path))
        if args.strict:
            print(tr("cli.strict_fail", args.lang, q=q), file=sys.stderr)
            return EXIT_QUARANTINE
    elif stale.exists():
        stale.unlink()  # an earlier run's list would contradict "no row was quarantined"
    if doubts and args.strict:
        print(tr("cli.strict_datum", args.lang, n=doubts), file=sys.stderr)
        return EXIT_QUARANTINE
    print(tr("cli.usable", args.lang))
    return EXIT_OK


def _write_flagged(loaded, out: Path, lang: str) -> None:
    """``flagged.csv``: cells of kept records that could not be read (or remove a stale one)."""
    from geotool.output.report import write_flagged

    if len(loaded.flagged):
        path = write_flagged(loaded.flagged, out, lang=lang)
        print(tr("cli.flagged_written", lang, path=path))
    elif (out / "flagged.csv").exists():
        (out / "flagged.csv").unlink()


def _as_of(args: argparse.Namespace, loaded) -> dt.date:
    as_of = args.as_of or loaded.workspace.defaults.as_of
    if as_of is None:
        raise ConfigError(tr("cli.as_of_needed", args.lang), path=loaded.workspace.config_path)
    return as_of


def _given(args: argparse.Namespace) -> dict[str, object]:
    """The analysis parameters given on the command line (``None`` when not given)."""
    names = ("as_of", "window_days", "match_radius_m", "reach_m", "min_blindspot_m2",
             "recurrence_days")
    return {name: getattr(args, name, None) for name in names}


def _check_given(args: argparse.Namespace) -> None:
    """Refuse out-of-range parameters before any file is read."""
    from geotool.io.config import Defaults

    Defaults().with_overrides(**_given(args))


def _params(args: argparse.Namespace, loaded):
    return loaded.workspace.defaults.with_overrides(**{**_given(args),
                                                       "as_of": _as_of(args, loaded)})


def _run_gaps(args: argparse.Namespace, workspace: Path, out: Path):
    import pandas as pd

    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace
    from geotool.output.report import summary_table, write_gaps

    _check_given(args)
    with Stages(args.lang) as stages:
        stages.stage("progress.load")
        loaded = load_workspace(workspace, lang=args.lang)
    _print_load_summary(loaded, args.lang)
    _warn_datum(loaded, args.lang)
    params = _params(args, loaded)
    _warn_date_range(loaded, params.as_of, args.lang)
    later = int((loaded.records["found_at"] >= pd.Timestamp(params.as_of)
                 + pd.Timedelta(days=1)).sum())
    if later:
        print(tr("cli.after_as_of", args.lang, n=later, as_of=params.as_of))
    with Stages(args.lang) as stages:
        stages.stage("progress.analyse")
        result = find_gaps(loaded, params=params)
        stages.stage("progress.write")
        write_gaps(result, out, lang=args.lang, progress=stages.file, unit_progress=stages.count)
    print(summary_table(result, lang=args.lang))
    print(tr("cli.gaps_written", args.lang, path=out))
    return result


def cmd_lists(args: argparse.Namespace) -> int:
    """``geotool lists WORKSPACE --as-of D``: only the units' workbooks and their cover."""
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace
    from geotool.output.unit_lists import UNITS_DIR, write_unit_lists

    _check_given(args)
    with Stages(args.lang) as stages:
        stages.stage("progress.load")
        loaded = load_workspace(args.workspace, lang=args.lang)
    _warn_datum(loaded, args.lang)
    params = _params(args, loaded)
    _warn_date_range(loaded, params.as_of, args.lang)
    with Stages(args.lang) as stages:
        stages.stage("progress.analyse")
        result = find_gaps(loaded, params=params)
        stages.stage("progress.units")
        written = write_unit_lists(result, Path(args.out), lang=args.lang,
                                   progress=stages.count)
    print(tr("lists.written", args.lang, n=len(written) - 1, path=Path(args.out) / UNITS_DIR))
    return EXIT_OK


def _warn_date_range(loaded, as_of: dt.date, lang: str) -> None:
    """Say so when the analysis date lies outside the records' dates (a likely typo)."""
    found = loaded.records["found_at"].dropna()
    if found.empty:
        return
    first, last = found.min().date(), found.max().date()
    if as_of < first or (as_of - last).days > 30:
        print(tr("cli.as_of_outside", lang, as_of=as_of, first=first, last=last), file=sys.stderr)


def _check_tiles(args: argparse.Namespace) -> None:
    from geotool.output.render.tiles import resolve_tiles

    resolve_tiles(args.tiles)  # a wrong --tiles fails before the workspace is loaded


def cmd_gaps(args: argparse.Namespace) -> int:
    """``geotool gaps WORKSPACE --as-of D``: write the gap lists."""
    _run_gaps(args, Path(args.workspace), Path(args.out))
    return EXIT_OK


def _render(args: argparse.Namespace, result, out: Path) -> None:
    from geotool.output.render import render_maps

    index = render_maps(result, out, districts=args.district or None, lang=args.lang,
                        tiles=args.tiles, png=args.png)
    print(tr("cli.maps_written", args.lang, path=out))
    print(tr("cli.open_index", args.lang, path=index))


def cmd_maps(args: argparse.Namespace) -> int:
    """``geotool maps WORKSPACE --as-of D``: one interactive map per district."""
    from geotool.analysis.districts import resolve_districts
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace

    _check_tiles(args)
    _check_given(args)
    with Stages(args.lang) as stages:
        stages.stage("progress.load")
        loaded = load_workspace(args.workspace, lang=args.lang)
    _warn_datum(loaded, args.lang)
    if args.district:
        args.district = resolve_districts(loaded.districts, args.district)
    params = _params(args, loaded)
    _warn_date_range(loaded, params.as_of, args.lang)
    with Stages(args.lang) as stages:
        stages.stage("progress.analyse")
        result = find_gaps(loaded, params=params)
        stages.stage("progress.maps")
        _render(args, result, Path(args.out))
    return EXIT_OK


def sample_workspace() -> Path:
    """The bundled sample city: ``layers/`` of a source checkout, else the installed copy.

    A wheel installs it in ``<prefix>/share/geotool/layers`` (``sys.prefix`` of the
    environment, or the user scheme's data directory).
    """
    import sysconfig  # only needed for the demo

    here = Path(__file__).resolve().parent.parent / "layers"
    installed = [Path(sysconfig.get_path("data", scheme)) / "share" / "geotool" / "layers"
                 for scheme in sorted(set(sysconfig.get_scheme_names()))
                 if scheme.startswith(("posix", "nt", "osx"))]
    for path in [here, Path(sys.prefix) / "share" / "geotool" / "layers", *installed]:
        if (path / "geotool.toml").exists():
            return path
    msg = ("the bundled sample city is missing: reinstall geotool, or run geotool demo from a "
           "clone of the repository")
    raise ConfigError(msg, path=here)


def cmd_demo(args: argparse.Namespace) -> int:
    """``geotool demo``: validate, find gaps and draw maps for the sample city."""
    out = Path(args.out)
    _check_tiles(args)
    result = _run_gaps(args, sample_workspace(), out / "out")
    args.district, args.png = None, getattr(args, "png", False)
    _render(args, result, out / "maps")
    return EXIT_OK


_EXAMPLES = {
    "validate": [("geotool validate layers", "help.validate.ex1"),
                 ("geotool validate layers --strict", "help.validate.ex2")],
    "gaps": [("geotool gaps layers --as-of 2026-10-30 --out out", "help.gaps.ex1"),
             ("geotool gaps layers --as-of 2026/10/30 --window-days 14 --lang en",
              "help.gaps.ex2")],
    "lists": [("geotool lists layers --as-of 2026-10-30", "help.lists.ex1"),
              ("geotool lists layers --as-of 2026年10月30日 --lang en", "help.lists.ex2")],
    "maps": [("geotool maps layers --as-of 2026-10-26 --district 川东区 --tiles none",
              "help.maps.ex1"),
             ("geotool maps layers --as-of 2026-10-26 --tiles amap --png", "help.maps.ex2")],
    "demo": [("geotool demo", "help.demo.ex1"),
             ("geotool demo --tiles none --out /tmp/demo", "help.demo.ex2")],
}


def _analysis_options(p: argparse.ArgumentParser, lang: str) -> None:
    def mv(key: str) -> str:
        return tr(f"help.mv_{key}", lang)

    p.add_argument("--as-of", type=_date, metavar=mv("date"), help=tr("help.as_of", lang))
    p.add_argument("--window-days", type=int, metavar=mv("days"),
                   help=tr("help.window_days", lang))
    p.add_argument("--match-radius-m", type=float, metavar=mv("m"),
                   help=tr("help.match_radius_m", lang))
    p.add_argument("--reach-m", type=float, metavar=mv("m"), help=tr("help.reach_m", lang))
    p.add_argument("--min-blindspot-m2", type=float, metavar=mv("m2"),
                   help=tr("help.min_blindspot_m2", lang))
    p.add_argument("--recurrence-days", type=int, metavar=mv("days"),
                   help=tr("help.recurrence_days", lang))


def _map_options(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--tiles", default="osm", metavar=tr("help.mv_tiles", lang),
                   help=tr("help.tiles", lang).replace("%", "%%"))
    p.add_argument("--png", action="store_true", help=tr("help.png", lang))


def _command(sub, name: str, lang: str, parent: argparse.ArgumentParser) -> Parser:
    examples = [(command, tr(key, lang)) for command, key in _EXAMPLES[name]]
    return sub.add_parser(name, parents=[parent], help=tr(f"help.{name}", lang),
                          description=wrap(tr(f"help.{name}.desc", lang), lang),
                          epilog=examples_epilog(lang, examples))


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser of the ``geotool`` command, its help in ``lang``."""
    from geotool import __version__

    Parser.lang = lang
    parser = Parser(prog="geotool", description=wrap(tr("help.prog", lang), lang))
    parser.add_argument("--version", action="version", version=f"geotool {__version__}",
                        help=tr("help.version", lang))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=tr("help.lang", lang))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser,
                                title=tr("help.commands", lang),
                                metavar=tr("help.mv_command", lang))
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                        help=tr("help.lang", lang))
    workspace = {"metavar": tr("help.mv_workspace", lang), "help": tr("help.workspace", lang)}
    folder = tr("help.mv_folder", lang)

    p = _command(sub, "validate", lang, parent)
    p.add_argument("workspace", **workspace)
    p.add_argument("--strict", action="store_true", help=tr("help.strict", lang))
    p.add_argument("--out", default="out", metavar=folder, help=tr("help.out_validate", lang))
    p.set_defaults(func=cmd_validate)

    for name, func in (("gaps", cmd_gaps), ("lists", cmd_lists)):
        p = _command(sub, name, lang, parent)
        p.add_argument("workspace", **workspace)
        _analysis_options(p, lang)
        p.add_argument("--out", default="out", metavar=folder,
                       help=tr("help.out", lang, default="out"))
        p.set_defaults(func=func)

    p = _command(sub, "maps", lang, parent)
    p.add_argument("workspace", **workspace)
    _analysis_options(p, lang)
    p.add_argument("--district", action="append", metavar=tr("help.mv_district", lang),
                   help=tr("help.district", lang))
    p.add_argument("--out", default="maps", metavar=folder,
                   help=tr("help.out", lang, default="maps"))
    _map_options(p, lang)
    p.set_defaults(func=cmd_maps)

    p = _command(sub, "demo", lang, parent)
    _analysis_options(p, lang)
    p.add_argument("--out", default=".", metavar=folder, help=tr("help.out_demo", lang))
    _map_options(p, lang)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geotool`` command; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = prescan_lang(argv)  # the help is built before --lang is parsed
    Parser.argv = argv
    args = build_parser(lang).parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `geotool validate ws | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except GeotoolError as exc:
        print(f"geotool: {tr('cli.error', args.lang)}: {exc.render(args.lang)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:  # e.g. an output folder that cannot be written
        where = f"{exc.filename}: " if exc.filename else ""
        fix = tr("cli.os_error_fix", args.lang)
        print(f"geotool: {tr('cli.error', args.lang)}: {where}{exc.strerror or exc}: {fix}",
              file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print(f"geotool: {tr('cli.interrupted', args.lang)}", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
