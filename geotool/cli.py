"""The ``geotool`` command: a thin shell over the library.

Each command parses its arguments, calls the library and prints. Errors a
user can cause (:class:`geotool.GeotoolError`) print one line and exit 2; no
traceback reaches the user. Exit codes: 0 done, 2 unusable config or file,
3 ``validate --strict`` with quarantined rows, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from pathlib import Path
from typing import NoReturn

from geotool._allocator import keep_small_pages
from geotool._argparse import Parser, prescan_lang
from geotool._cli_options import build_parser as _build_parser
from geotool._cli_run import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_QUARANTINE,
    EXIT_UNUSABLE,
    _analyse,
    _evaluation,
    _params,
    _print_load_summary,
    _warn_date_range,
    _warn_datum,
    cmd_risk,
    cmd_route,
)
from geotool._errors import ConfigError, GeotoolError, shown_path
from geotool._progress import Stages
from geotool.io.early_read import EarlyRead
from geotool.text import Note, tr

__all__ = ["main", "run"]


def cmd_validate(args: argparse.Namespace) -> int:
    """``geotool validate WORKSPACE``: load everything and account for every row."""
    early = EarlyRead(args.workspace)  # the record files read while the libraries load
    from geotool.io.workspace import load_workspace  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.report import write_quarantine  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    loaded = load_workspace(args.workspace, lang=args.lang, early=early)
    _print_load_summary(loaded, args.lang)
    doubts = _warn_datum(loaded, args.lang)
    _suggest_extent(loaded, args.lang)
    _check_line(loaded, args.lang)
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


def _check_line(loaded, lang: str):
    """The responsibility check's one-line summary (when ``[check]`` names a grid layer)."""
    from geotool.analysis.responsibility import responsibility_check  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.check_report import check_summary  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    spec = loaded.workspace.check
    if spec is None:
        return None
    result = responsibility_check(loaded, min_area_m2=spec.min_area_m2)
    print("  " + check_summary(result, lang=lang))
    return result


def cmd_check(args: argparse.Namespace) -> int:
    """``geotool check WORKSPACE``: gaps and overlaps of the grid, places with no unit."""
    early = EarlyRead(args.workspace)  # the record files read while the libraries load
    from geotool.io.workspace import load_workspace  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.check_report import write_check  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    loaded = load_workspace(args.workspace, lang=args.lang, early=early)
    if loaded.workspace.check is None:
        raise ConfigError(tr("check.none", args.lang), path=loaded.workspace.config_path)
    result = _check_line(loaded, args.lang)
    written = write_check(result, Path(args.out), lang=args.lang)
    print(tr("check.written", args.lang, path=written["xlsx"]))
    return EXIT_OK


def _suggest_extent(loaded, lang: str) -> None:
    """Suggest ``[extent]`` when districts are large and mostly far from any ledger feature."""
    from geotool.analysis.extent import suggest_extent  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.text import render  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    note = suggest_extent(loaded)
    if note is not None:
        print("  - " + render(note, lang))


def _write_flagged(loaded, out: Path, lang: str) -> None:
    """``flagged.csv``: cells of kept records that could not be read (or remove a stale one)."""
    from geotool.output.report import write_flagged  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    if len(loaded.flagged):
        path = write_flagged(loaded.flagged, out, lang=lang)
        print(tr("cli.flagged_written", lang, path=path))
    elif (out / "flagged.csv").exists():
        (out / "flagged.csv").unlink()


def _run_gaps(args: argparse.Namespace, workspace: Path, out: Path):
    from geotool.output.report import EarlyIssueList, summary_table, write_gaps  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    saving = _saving(args, workspace)  # an unusable store fails before any work
    early = EarlyIssueList(out)  # issues.csv written while the analysis finishes
    try:
        result = _analyse(args, workspace, summary=True, on_issues=early)
        with Stages(args.lang) as stages:
            stages.stage("progress.write")
            write_gaps(result, out, lang=args.lang, progress=stages.file,
                       unit_progress=stages.count, early=early)
    finally:
        early.discard()  # a run stopped before writing leaves no temporary file
    print(summary_table(result, lang=args.lang))
    print(tr("cli.gaps_written", args.lang, path=out))
    if saving is not None:
        _save(saving, result, args.lang)
    return result


def _saving(args: argparse.Namespace, workspace: Path):
    """The workspace config when the snapshot is to be saved (``--save``, ``[history] save``).

    An existing store is opened and checked now, before the analysis: one
    that cannot be used, or holds another city's snapshots, fails before any
    list is written.
    """
    from geotool.io.config import load_config  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.history import workspace_store  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    config = load_config(workspace)
    if not (getattr(args, "save", False) or (config.history is not None and config.history.save)):
        return None
    store = workspace_store(config, create=False)
    if store is not None:
        with store:
            store.check_city(config.city)
    return config


def _save(workspace, result, lang: str) -> None:
    from geotool.analysis.snapshot import save_result  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.history import store_label, workspace_store  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    with workspace_store(workspace) as store:
        save_result(store, result)
    print(tr("history.saved", lang, as_of=result.as_of, where=store_label(workspace)))


def cmd_history(args: argparse.Namespace) -> int:
    """``geotool history WORKSPACE``: list the saved snapshots."""
    from geotool.io.config import load_config  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.history import store_label, workspace_store  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.history_list import history_lines  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    workspace = load_config(args.workspace)
    where = store_label(workspace)
    store = workspace_store(workspace, create=False)
    if store is None:
        print(tr("history.none", args.lang, where=where))
        return EXIT_OK
    with store:
        for line in history_lines(store, where=where, lang=args.lang):
            print(line)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """``geotool diff WORKSPACE --from D1 --to D2``: what changed, as diff.csv/.xlsx."""
    from geotool.analysis.diff import diff_snapshots, snapshot_at  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.analysis.gaps import find_gaps  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.analysis.snapshot import snapshot_of  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.history import workspace_store  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.workspace import load_workspace  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.diffs import diff_notes, write_diff  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    if args.date_from >= args.date_to:
        raise ConfigError(tr("diff.order", args.lang))
    from geotool.io.config import Defaults  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    for date in (args.date_from, args.date_to):  # both within the sane range, before any work
        Defaults().with_overrides(as_of=date)
    loaded = None

    def compute(date: dt.date):
        nonlocal loaded
        if loaded is None:
            loaded = load_workspace(args.workspace, lang=args.lang)
        args.as_of = date
        print(tr("diff.computed", args.lang, date=date))
        _warn_date_range(loaded, date, args.lang)  # a typo'd date computes an empty week
        return snapshot_of(find_gaps(loaded, params=_params(args, loaded)))

    from geotool.io.config import load_config  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    store = workspace_store(load_config(args.workspace), create=False)
    try:
        a, _ = snapshot_at(args.date_from, store=store, compute=compute)
        b, _ = snapshot_at(args.date_to, store=store, compute=compute)
    finally:
        if store is not None:
            store.close()
    diff = diff_snapshots(a, b)
    for note in diff_notes(diff, args.lang):  # other parameters; issues matched by content
        print(f"geotool: {tr('cli.warning', args.lang)}: {note}", file=sys.stderr)
    written = write_diff(diff, Path(args.out), lang=args.lang)
    print(tr("diff.written", args.lang, d1=a.as_of, d2=b.as_of, path=written["changes"].parent,
             n=len(diff.changes)))
    return EXIT_OK


def cmd_lists(args: argparse.Namespace) -> int:
    """``geotool lists WORKSPACE --as-of D``: only the units' workbooks and their cover."""
    from geotool.output.unit_lists import UNITS_DIR, write_unit_lists  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.write_threads import write_threads  # noqa: PLC0415 - as above

    result = _analyse(args, Path(args.workspace), summary=False)
    with Stages(args.lang) as stages, write_threads() as pool:
        stages.stage("progress.units")
        written = write_unit_lists(result, Path(args.out), lang=args.lang,
                                   progress=stages.count, pool=pool)
    print(tr("lists.written", args.lang, n=len(written) - 1, path=Path(args.out) / UNITS_DIR))
    return EXIT_OK


def _check_tiles(args: argparse.Namespace) -> None:
    from geotool.output.render.tiles import resolve_tiles  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    resolve_tiles(args.tiles)  # a wrong --tiles fails before the workspace is loaded


def cmd_gaps(args: argparse.Namespace) -> int:
    """``geotool gaps WORKSPACE --as-of D``: write the gap lists."""
    _run_gaps(args, Path(args.workspace), Path(args.out))
    return EXIT_OK


def _risk_extras(result, evaluation) -> list:
    """The evaluation-risk overlay when the workspace has an ``[evaluation]`` table."""
    if evaluation is None:
        return []
    from geotool.analysis.risk import evaluation_risk  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.render.extras import RiskOverlay  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    return [RiskOverlay(evaluation_risk(result, evaluation, draws=1))]  # exact figures only


def _render(args: argparse.Namespace, result, out: Path, evaluation=None,
            history=None) -> None:
    from geotool.output.render import render_maps  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    index = render_maps(result, out, districts=args.district or None, lang=args.lang,
                        tiles=args.tiles, png=args.png,
                        extras=_risk_extras(result, evaluation), history=history)
    print(tr("cli.maps_written", args.lang, path=out))
    print(tr("cli.open_index", args.lang, path=index))


def cmd_maps(args: argparse.Namespace) -> int:
    """``geotool maps WORKSPACE --as-of D``: one interactive map per district."""
    _check_tiles(args)
    result = _analyse(args, Path(args.workspace), summary=False)
    with Stages(args.lang) as stages:
        stages.stage("progress.maps")
        _render(args, result, Path(args.out), _evaluation(args.workspace)[0],
                history=_history_for(Path(args.workspace), result, args.lang))
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    """``geotool convert WORKSPACE --to parquet``: records into partitioned GeoParquet, once."""
    early = EarlyRead(args.workspace)  # the record files read while the libraries load
    from geotool.analysis.conversion import convert_records  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.parquet import CONVERSION_DIR  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.workspace import load_workspace  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.report import write_quarantine  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    loaded = load_workspace(args.workspace, lang=args.lang, early=early)
    if loaded.parquet is not None or not any(a.kind == "records" for a in loaded.accounts):
        raise ConfigError(tr("parquet.no_tables", args.lang), path=loaded.workspace.config_path)
    _print_load_summary(loaded, args.lang)
    root = loaded.workspace.root
    out = Path(args.out) if args.out else root / "records_parquet"
    paths = convert_records(loaded, out)
    q = loaded.quarantine[(loaded.quarantine["layer"].fillna("") == "").to_numpy()]
    write_quarantine(q, out / CONVERSION_DIR, lang=args.lang)
    print(tr("parquet.written", args.lang, files=len(paths), rows=len(loaded.records), path=out))
    try:
        pattern = (out.resolve().relative_to(root.resolve()) / "*.parquet").as_posix()
    except ValueError:
        pattern = (out.resolve() / "*.parquet").as_posix()
    print(tr("parquet.config_hint", args.lang, pattern=pattern))
    return EXIT_OK


def _history_for(workspace: Path, result, lang: str):
    """The history the maps show, when the workspace has a history store (else ``None``)."""
    from geotool._errors import HistoryError  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.analysis.trends import history_view  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.config import load_config  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.io.history import workspace_store  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)
    from geotool.output.diffs import params_note  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    store = workspace_store(load_config(workspace), create=False)
    if store is None:
        return None
    with store:
        try:
            view = history_view(result, store)
        except HistoryError as exc:  # another city's store: the maps are drawn without it
            print(f"geotool: {tr('cli.warning', lang)}: {exc.render(lang)}", file=sys.stderr)
            return None
    if view.previous is not None:
        note = params_note(view.params_changed, lang)
        if note is not None:
            print(f"geotool: {tr('cli.warning', lang)}: {note}", file=sys.stderr)
    return view


def sample_workspace() -> Path:
    """The bundled sample city: ``layers/`` of a source checkout, else the installed copy.

    A wheel installs it in ``<prefix>/share/geotool/layers`` (``sys.prefix`` of the
    environment, or the user scheme's data directory).
    """
    import sysconfig  # only needed for the demo  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

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
    from geotool.io.config import load_config  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    args.district, args.png = None, getattr(args, "png", False)
    _render(args, result, out / "maps", load_config(sample_workspace()).evaluation)
    return EXIT_OK


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The argument parser of the ``geotool`` command, its help in ``lang``."""
    from geotool import __version__  # noqa: PLC0415 - the CLI imports a command's code only when that command runs (fast --help)

    commands = {"validate": cmd_validate, "check": cmd_check, "gaps": cmd_gaps,
                "history": cmd_history, "diff": cmd_diff, "lists": cmd_lists,
                "convert": cmd_convert, "maps": cmd_maps, "risk": cmd_risk, "route": cmd_route,
                "demo": cmd_demo}
    return _build_parser(commands, lang, version=__version__)


_LINE_BREAKS = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\v"): "\\v", ord("\f"): "\\f",
                0x1C: "\\x1c", 0x1D: "\\x1d", 0x1E: "\\x1e", 0x85: "\\x85",
                0x2028: "\\u2028", 0x2029: "\\u2029"}


def _one_line(text: str) -> str:
    r"""An error message on one line: every line break shown as its escape.

    Examples
    --------
    >>> _one_line("out/a\nb.html: No space left")
    'out/a\\nb.html: No space left'
    """
    return text.translate(_LINE_BREAKS)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geotool`` command; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = prescan_lang(argv)  # the help is built before --lang is parsed
    Parser.argv = argv
    args = build_parser(lang).parse_args(argv)
    keep_small_pages()  # no huge pages to zero for a command's large arrays (geotool._allocator)
    stdout = sys.stdout
    if stdout is not None:  # None: started with standard output closed (print does nothing)
        sys.stdout = _ReaderMayLeave(stdout)
    try:
        _check_out(args)
        return args.func(args)
    except GeotoolError as exc:
        print(_one_line(f"geotool: {tr('cli.error', args.lang)}: {exc.render(args.lang)}"),
              file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:  # e.g. an output folder that cannot be written
        where = f"{shown_path(exc.filename)}: " if exc.filename else ""
        fix = tr("cli.os_error_fix", args.lang)
        print(_one_line(f"geotool: {tr('cli.error', args.lang)}: {where}{exc.strerror or exc}: "
                        f"{fix}"), file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print(f"geotool: {tr('cli.interrupted', args.lang)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.stdout = stdout


def _check_out(args: argparse.Namespace) -> None:
    """``--out`` must be a folder (or not exist yet): a file there is a one-line error."""
    out = getattr(args, "out", None)
    if out and Path(out).exists() and not Path(out).is_dir():
        raise GeotoolError(Note("cli.out_is_file"), path=_one_line(shown_path(Path(out))))


def _to_devnull(stream) -> None:
    """Point the file descriptor of ``stream`` at the null device."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


class _ReaderMayLeave:
    """Standard output whose reader may leave early (``geotool gaps ws | head``).

    Once the pipe is closed, what is printed goes to the null device and the
    command goes on: the files it writes are what the planner ran it for, and
    the summary lines are only its report.
    """

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _to_devnull(self._stream)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _to_devnull(self._stream)
            self._stream.flush()  # what was buffered goes to the null device now

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def run() -> NoReturn:
    """The ``geotool`` command: :func:`main`, then leave without tearing the heap down.

    By the time :func:`main` returns every file is written, closed and in
    place (:mod:`geotool._atomic`) and every worker is stopped; what is left
    is freeing the run's objects one by one, a quarter of a second for a
    1,000,000-record city. So the streams are flushed and the process leaves
    at once (``os._exit``). The library's :func:`main` returns as usual, for
    callers that go on in the same process.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: the process was started with it closed
            with contextlib.suppress(OSError, ValueError):  # a reader that left: nothing lost
                stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
