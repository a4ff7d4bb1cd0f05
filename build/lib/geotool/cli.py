"""The ``geotool`` command: a thin shell over the library.

Each command parses its arguments, calls the library and prints. Errors a
user can cause (:class:`geotool.GeotoolError`) print one line and exit 2; no
traceback reaches the user. Exit codes: 0 done, 2 unusable config or file,
3 ``validate --strict`` with quarantined rows, 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
from pathlib import Path

from geotool._errors import ConfigError, GeotoolError
from geotool.text import tr

__all__ = ["main"]

EXIT_OK, EXIT_UNUSABLE, EXIT_QUARANTINE, EXIT_INTERRUPTED = 0, 2, 3, 130


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"not a date YYYY-MM-DD: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _print_load_summary(loaded, lang: str) -> None:
    from geotool.output.report import load_summary_lines

    for line in load_summary_lines(loaded, lang=lang):
        print(line)


def cmd_validate(args: argparse.Namespace) -> int:
    """``geotool validate WORKSPACE``: load everything and account for every row."""
    from geotool.output.report import write_quarantine
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(args.workspace, lang=args.lang)
    _print_load_summary(loaded, args.lang)
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


def _params(args: argparse.Namespace, loaded):
    return loaded.workspace.defaults.with_overrides(
        as_of=_as_of(args, loaded),
        window_days=getattr(args, "window_days", None),
        match_radius_m=getattr(args, "match_radius_m", None),
        reach_m=getattr(args, "reach_m", None),
        min_blindspot_m2=getattr(args, "min_blindspot_m2", None),
        recurrence_days=getattr(args, "recurrence_days", None),
    )


def _run_gaps(args: argparse.Namespace, workspace: Path, out: Path):
    import pandas as pd

    from geotool.analysis.gaps import find_gaps
    from geotool.output.report import summary_table, write_gaps
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(workspace, lang=args.lang)
    _print_load_summary(loaded, args.lang)
    params = _params(args, loaded)
    _warn_date_range(loaded, params.as_of, args.lang)
    later = int((loaded.records["found_at"] >= pd.Timestamp(params.as_of)
                 + pd.Timedelta(days=1)).sum())
    if later:
        print(tr("cli.after_as_of", args.lang, n=later, as_of=params.as_of))
    result = find_gaps(loaded, params=params)
    write_gaps(result, out, lang=args.lang)
    print(summary_table(result, lang=args.lang))
    print(tr("cli.gaps_written", args.lang, path=out))
    return result


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
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace

    _check_tiles(args)
    loaded = load_workspace(args.workspace, lang=args.lang)
    params = _params(args, loaded)
    _warn_date_range(loaded, params.as_of, args.lang)
    result = find_gaps(loaded, params=params)
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


def _analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=_date, help="analysis date YYYY-MM-DD")
    p.add_argument("--window-days", type=int, help="coverage window in days")
    p.add_argument("--match-radius-m", type=float, help="record-to-feature distance, metres")
    p.add_argument("--reach-m", type=float, help="blind-spot reach, metres")
    p.add_argument("--min-blindspot-m2", type=float, help="smallest blind spot, m²")
    p.add_argument("--recurrence-days", type=int, help="recurrence window in days")


def _map_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tiles", default="osm",
                   help="base map: osm (default, WGS-84), none (no network at all), amap "
                        "(GCJ-02: data is shifted to match), tianditu:KEY, a tile URL template "
                        "{z}/{x}/{y} (intranet), or gcj02:URL for a GCJ-02 intranet server")
    p.add_argument("--png", action="store_true", help="also write a static PNG per district")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line and exit 2, like every other error."""

    lang = "zh"

    def error(self, message: str) -> None:  # type: ignore[override]
        hint = tr("cli.usage_hint", self.lang, prog=self.prog)
        self.exit(EXIT_UNUSABLE, f"geotool: {tr('cli.error', self.lang)}: {message} ({hint})\n")


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser of the ``geotool`` command."""
    from geotool import __version__

    _Parser.lang = lang
    parser = _Parser(prog="geotool", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"geotool {__version__}")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of messages, maps and spreadsheets")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS)

    p = sub.add_parser("validate", parents=[lang], help="load a workspace and account for every row")
    p.add_argument("workspace")
    p.add_argument("--strict", action="store_true", help="exit 3 when any row was quarantined")
    p.add_argument("--out", default="out", help="folder for quarantine.csv (default: out)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("gaps", parents=[lang], help="write forgotten places, blind spots, issues")
    p.add_argument("workspace")
    _analysis_options(p)
    p.add_argument("--out", default="out", help="output folder (default: out)")
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("maps", parents=[lang], help="render one interactive map per district")
    p.add_argument("workspace")
    _analysis_options(p)
    p.add_argument("--district", action="append", help="only this district id (repeatable)")
    p.add_argument("--out", default="maps", help="output folder (default: maps)")
    _map_options(p)
    p.set_defaults(func=cmd_maps)

    p = sub.add_parser("demo", parents=[lang], help="run everything on the bundled sample city")
    _analysis_options(p)
    p.add_argument("--out", default=".", help="writes OUT/out (gap lists) and OUT/maps")
    _map_options(p)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geotool`` command; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = "en" if any(a in ("--lang=en",) for a in argv) or any(
        a == "--lang" and b == "en" for a, b in itertools.pairwise(argv)) else "zh"
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
