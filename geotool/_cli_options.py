"""The ``geotool`` command's parser: its commands, options, help and examples, in one language.

:func:`build_parser` builds it in Chinese (default) or English; ``geotool.cli``
supplies the function each command runs. Every help text is in
:mod:`geotool.text` (``help.*``); each command has a one-line help, a
paragraph and two examples.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Mapping

from geotool._argparse import Parser, examples_epilog, wrap
from geotool.io.config import PARAMETER_RANGES
from geotool.io.evaluation import RISK_RANGES
from geotool.text import tr

__all__ = ["as_of_date", "build_parser", "lonlat"]

_EXAMPLES = {
    "validate": [("geotool validate layers", "help.validate.ex1"),
                 ("geotool validate layers --strict", "help.validate.ex2")],
    "check": [("geotool check layers", "help.check.ex1"),
              ("geotool check layers --out out --lang en", "help.check.ex2")],
    "risk": [("geotool risk layers --as-of 2026-10-26", "help.risk.ex1"),
             ("geotool risk layers --as-of 2026-10-26 --draws 20000 --seed 1", "help.risk.ex2")],
    "route": [("geotool route layers --as-of 2026-10-26 --district 411602", "help.route.ex1"),
              (("geotool route layers --as-of 2026-10-26 --district 411602001 --stops all "
               "--max-stops 12 --one-way"), "help.route.ex2")],
    "gaps": [("geotool gaps layers --as-of 2026-10-30 --out out", "help.gaps.ex1"),
             ("geotool gaps layers --as-of 2026/10/30 --window-days 14 --lang en",
              "help.gaps.ex2")],
    "history": [("geotool history layers", "help.history.ex1"),
                ("geotool history layers --lang en", "help.history.ex2")],
    "diff": [("geotool diff layers --from 2026-10-19 --to 2026-10-26", "help.diff.ex1"),
             ("geotool diff layers --from 2026/10/19 --to 2026/10/26 --out weekly",
              "help.diff.ex2")],
    "lists": [("geotool lists layers --as-of 2026-10-30", "help.lists.ex1"),
              ("geotool lists layers --as-of 2026年10月30日 --lang en", "help.lists.ex2")],
    "convert": [("geotool convert layers --to parquet", "help.convert.ex1"),
                ("geotool convert layers --to parquet --out /data/records_parquet",
                 "help.convert.ex2")],
    "maps": [("geotool maps layers --as-of 2026-10-26 --district 川东区 --tiles none",
              "help.maps.ex1"),
             ("geotool maps layers --as-of 2026-10-26 --tiles amap --png", "help.maps.ex2")],
    "demo": [("geotool demo", "help.demo.ex1"),
             ("geotool demo --tiles none --out /tmp/demo", "help.demo.ex2")],
}


def as_of_date(text: str) -> dt.date:
    """A date in any form records accept (``2026-10-30``, ``2026/10/30``, ``2026年10月30日``).

    Examples
    --------
    >>> as_of_date("2026年10月30日"), as_of_date("2026/10/30")
    (datetime.date(2026, 10, 30), datetime.date(2026, 10, 30))
    """

    try:
        return dt.date.fromisoformat(text.strip())  # any ISO date: its range is checked later
    except ValueError:
        pass
    # pandas loads only for a date that is not ISO: the command's reading starts first
    from geotool.io.parsing import parse_date  # noqa: PLC0415 - see the comment

    value, _ = parse_date(text)
    if value is None:
        raise argparse.ArgumentTypeError(tr("arg.bad_date", Parser.lang, value=text))
    return value.date()


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(tr("arg.not_positive", Parser.lang, value=text))

    low, high, unit = PARAMETER_RANGES["workers"]
    if value > high:
        raise argparse.ArgumentTypeError(tr("arg.out_of_range", Parser.lang, value=value,
                                            low=low, high=high, unit=unit))
    return value


def _whole(text: str, low: int, key: str) -> int:
    """A whole number of at least ``low`` (else argparse's one-line error, ``key``'s words)."""
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low:
        raise argparse.ArgumentTypeError(tr(key, Parser.lang, value=text))
    return value


def _count(text: str) -> int:
    """A count of at least 1 (``--max-stops``)."""
    return _whole(text, 1, "arg.not_positive")


def _seed(text: str) -> int:
    """A random seed: a whole number of at least 0 (NumPy takes no negative seed)."""
    return _whole(text, 0, "arg.not_non_negative")


def _draws(text: str) -> int:
    """Monte Carlo draws: a whole number from 1 to the sane maximum (``RISK_RANGES``)."""
    value = _whole(text, 1, "arg.not_positive")
    high = RISK_RANGES["draws"][1]
    if value > high:
        raise argparse.ArgumentTypeError(tr("arg.too_many", Parser.lang, value=text,
                                             high=f"{high:,}"))
    return value


def lonlat(text: str) -> tuple[float, float]:
    """``LON,LAT`` (WGS-84 degrees; a full-width comma is fine).

    Examples
    --------
    >>> lonlat("114.65，33.62")
    (114.65, 33.62)
    """
    try:
        lon, lat = (float(v) for v in text.replace("，", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(tr("route.bad_start", Parser.lang, value=text)) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise argparse.ArgumentTypeError(tr("route.bad_start", Parser.lang, value=text))
    return lon, lat


def _mv(key: str, lang: str) -> str:
    return tr(f"help.mv_{key}", lang)


def _analysis_options(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--as-of", type=as_of_date, metavar=_mv("date", lang),
                   help=tr("help.as_of", lang))
    p.add_argument("--window-days", type=int, metavar=_mv("days", lang),
                   help=tr("help.window_days", lang))
    p.add_argument("--match-radius-m", type=float, metavar=_mv("m", lang),
                   help=tr("help.match_radius_m", lang))
    p.add_argument("--reach-m", type=float, metavar=_mv("m", lang), help=tr("help.reach_m", lang))
    p.add_argument("--min-blindspot-m2", type=float, metavar=_mv("m2", lang),
                   help=tr("help.min_blindspot_m2", lang))
    p.add_argument("--recurrence-days", type=int, metavar=_mv("days", lang),
                   help=tr("help.recurrence_days", lang))


def _cluster_options(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--workers", type=_positive, metavar=_mv("n", lang),
                   help=tr("help.workers", lang))
    p.add_argument("--scheduler", metavar=_mv("address", lang), help=tr("help.scheduler", lang))


def _map_options(p: argparse.ArgumentParser, lang: str) -> None:
    p.add_argument("--tiles", default="amap", metavar=_mv("tiles", lang),
                   help=tr("help.tiles", lang).replace("%", "%%"))
    p.add_argument("--png", action="store_true", help=tr("help.png", lang))


def _out(p: argparse.ArgumentParser, lang: str, default: str, key: str = "help.out") -> None:
    p.add_argument("--out", default=default, metavar=_mv("folder", lang),
                   help=tr(key, lang, default=default) if key == "help.out" else tr(key, lang))


def build_parser(commands: Mapping[str, Callable[[argparse.Namespace], int]], lang: str = "zh",
                 *, version: str = "") -> argparse.ArgumentParser:
    """The argument parser of the ``geotool`` command, its help in ``lang``.

    Parameters
    ----------
    commands : dict
        Command name -> the function it runs (set as ``args.func``).
    lang : {"zh", "en"}
    version : str
        Shown by ``--version``.
    """
    Parser.lang = lang
    parser = Parser(prog="geotool", description=wrap(tr("help.prog", lang), lang))
    parser.add_argument("--version", action="version", version=f"geotool {version}",
                        help=tr("help.version", lang))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=tr("help.lang", lang))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser,
                                title=tr("help.commands", lang), metavar=_mv("command", lang))
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                        help=tr("help.lang", lang))

    def command(name: str) -> argparse.ArgumentParser:
        examples = [(line, tr(key, lang)) for line, key in _EXAMPLES[name]]
        # typeshed wants parents of the subparser class; argparse takes any ArgumentParser
        p = sub.add_parser(name, parents=[parent], help=tr(f"help.{name}", lang),  # type: ignore[list-item]
                           description=wrap(tr(f"help.{name}.desc", lang), lang),
                           epilog=examples_epilog(lang, examples))
        p.set_defaults(func=commands[name])
        if name != "demo":
            p.add_argument("workspace", metavar=_mv("workspace", lang),
                           help=tr("help.workspace", lang))
        return p

    p = command("validate")
    p.add_argument("--strict", action="store_true", help=tr("help.strict", lang))
    _out(p, lang, "out", "help.out_validate")

    p = command("check")
    _out(p, lang, "out", "help.out_check")

    p = command("gaps")
    _analysis_options(p, lang)
    _cluster_options(p, lang)
    _out(p, lang, "out")
    p.add_argument("--save", action="store_true", help=tr("help.save", lang))

    command("history")

    p = command("diff")
    p.add_argument("--from", dest="date_from", type=as_of_date, required=True,
                   metavar=_mv("date", lang), help=tr("help.from", lang))
    p.add_argument("--to", dest="date_to", type=as_of_date, required=True,
                   metavar=_mv("date", lang), help=tr("help.to", lang))
    _analysis_options(p, lang)
    _out(p, lang, "out", "help.out_diff")

    p = command("lists")
    _analysis_options(p, lang)
    _cluster_options(p, lang)
    _out(p, lang, "out")

    p = command("convert")
    p.add_argument("--to", choices=("parquet",), required=True, help=tr("help.convert_to", lang))
    p.add_argument("--out", metavar=_mv("folder", lang), help=tr("help.out_convert", lang))

    p = command("maps")
    _analysis_options(p, lang)
    _cluster_options(p, lang)
    p.add_argument("--district", action="append", metavar=_mv("district", lang),
                   help=tr("help.district", lang))
    _out(p, lang, "maps")
    _map_options(p, lang)

    p = command("risk")
    _analysis_options(p, lang)
    p.add_argument("--draws", type=_draws, metavar=_mv("n", lang), help=tr("help.draws", lang))
    p.add_argument("--seed", type=_seed, metavar=_mv("n", lang), help=tr("help.seed", lang))
    _out(p, lang, "out")

    p = command("route")
    _analysis_options(p, lang)
    p.add_argument("--district", required=True, metavar=_mv("district", lang),
                   help=tr("help.route_district", lang))
    p.add_argument("--start", type=lonlat, metavar=_mv("lonlat", lang),
                   help=tr("help.start", lang))
    p.add_argument("--stops", choices=("forgotten", "risk", "all"), default="forgotten",
                   help=tr("help.stops", lang))
    p.add_argument("--max-stops", type=_count, metavar=_mv("n", lang),
                   help=tr("help.max_stops", lang))
    p.add_argument("--one-way", action="store_true", help=tr("help.one_way", lang))
    _out(p, lang, "route")
    p.add_argument("--tiles", default="amap", metavar=_mv("tiles", lang),
                   help=tr("help.route_tiles", lang))

    p = command("demo")
    _analysis_options(p, lang)
    _out(p, lang, ".", "help.out_demo")
    _map_options(p, lang)
    return parser
