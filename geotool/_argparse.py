"""An argument parser that speaks the planner's language.

:class:`Parser` is an :class:`argparse.ArgumentParser` whose help (usage line,
section titles, ``-h``) and errors are in Chinese by default and in English
with ``--lang en``, never a mix of both. Its errors are one line and exit 2,
like every other geotool error, and a misspelt option or command gets a
"did you mean" (``--asof`` → ``--as-of``).

argparse builds the help before it has parsed ``--lang``, so the language is
found first by :func:`prescan_lang`.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import NoReturn

from geotool.text import tr

__all__ = ["Parser", "examples_epilog", "prescan_lang", "suggest", "wrap"]

EXIT_USAGE = 2


def prescan_lang(argv: Sequence[str]) -> str:
    """``"en"`` when ``argv`` asks for English (``--lang en`` or ``--lang=en``), else ``"zh"``.

    Examples
    --------
    >>> prescan_lang(["gaps", "ws", "--lang", "en"]), prescan_lang(["--lang=en"]), prescan_lang([])
    ('en', 'en', 'zh')
    """
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--lang=en" or (arg == "--lang" and i + 1 < len(args) and args[i + 1] == "en"):
            return "en"
    return "zh"


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """The choice closest to a misspelt ``word``, if one is close enough.

    Examples
    --------
    >>> suggest("--asof", ["--as-of", "--out", "--lang"]), suggest("gasp", ["gaps", "maps"])
    ('--as-of', 'gaps')
    >>> suggest("--zzz", ["--as-of"]) is None
    True
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def wrap(text: str, lang: str, width: int = 78) -> str:
    """``text`` wrapped for a terminal (a Chinese character is two columns wide)."""
    return textwrap.fill(text, width=width // 2 if lang != "en" else width)


def examples_epilog(lang: str, examples: Sequence[tuple[str, str]]) -> str:
    """An ``examples:`` block: each command line with what it does."""
    lines = [tr("help.examples", lang) + ("：" if lang != "en" else ":")]
    for command, what in examples:
        lines.append(f"  {command}")
        lines.append(f"      {what}")
    return "\n".join(lines)


def _hinted(text: str, close: str | None, lang: str) -> str:
    if close is None:
        return text
    return text + ("：" if lang != "en" else ": ") + tr("hint.did_you_mean", lang, name=close)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    lang = "zh"

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:  # argparse passes "" when it builds a command's prog
            prefix = tr("help.usage", self.lang)
        super().add_usage(usage, actions, groups, prefix)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^argument (?P<option>\S+): invalid choice: '(?P<value>[^']*)' "
                r"\(choose from (?P<names>.*)\)$"), "choice"),
    (re.compile(r"^argument (?P<option>\S+): invalid (?P<kind>int|float) value: "
                r"'(?P<value>[^']*)'$"), "type"),
    (re.compile(r"^argument (?P<option>\S+): expected one argument$"), "needs_value"),
    (re.compile(r"^the following arguments are required: (?P<names>.*)$"), "required"),
    (re.compile(r"^unrecognized arguments: (?P<values>.*)$"), "unrecognized"),
    (re.compile(r"^argument (?P<option>\S+): (?P<text>.*)$"), "own"),
]


class Parser(argparse.ArgumentParser):
    """An argument parser with translated help and one-line, translated errors.

    Parameters are those of :class:`argparse.ArgumentParser`; ``-h/--help`` is
    added with a translated help text. Set :attr:`lang` (class attribute)
    before building the parsers.
    """

    lang = "zh"
    argv: Sequence[str] = ()

    def __init__(self, *args, **kwargs) -> None:
        kwargs["add_help"] = False
        _Formatter.lang = self.lang
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = tr("help.positionals", self.lang)
        self._optionals.title = tr("help.options", self.lang)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=tr("help.help", self.lang))

    def _commands(self) -> dict[str, Parser]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    def _options_for(self) -> list[str]:
        """Option strings of this parser and of the command named in :attr:`argv`."""
        options = [o for a in self._actions for o in a.option_strings]
        commands = self._commands()
        for arg in self.argv:
            if arg in commands:
                options += [o for a in commands[arg]._actions for o in a.option_strings]
                break
        return options

    def _translate(self, message: str) -> str:
        lang = self.lang
        for pattern, kind in _PATTERNS:
            m = pattern.match(message)
            if m is None:
                continue
            g = m.groupdict()
            commands = self._commands()
            offered = {n.strip(" '") for n in g.get("names", "").split(",")}
            if kind == "choice" and commands and offered <= set(commands):
                names = ", ".join(commands)
                text = tr("arg.unknown_command", lang, name=g["value"], names=names)
                close = suggest(g["value"], list(commands))
                return _hinted(text, close, lang)
            if kind == "choice":
                names = g["names"].replace("'", "")
                return tr("arg.bad_choice", lang, option=g["option"], value=g["value"],
                          names=names)
            if kind == "type":
                key = "arg.not_int" if g["kind"] == "int" else "arg.not_number"
                return tr(key, lang, option=g["option"], value=g["value"])
            if kind == "needs_value":
                return tr("arg.needs_value", lang, option=g["option"])
            if kind == "required":
                return tr("arg.required", lang, names=g["names"])
            if kind == "unrecognized":
                return self._unrecognized(g["values"].split(" "))
            text = g["text"]  # our own type functions' messages are already translated
            if g["option"] in text:
                return text
            return f"{g['option']}{'：' if lang != 'en' else ': '}{text}"
        return tr("arg.other", lang, text=message)

    def _unrecognized(self, values: list[str]) -> str:
        lang = self.lang
        option = next((v for v in values if v.startswith("-")), None)
        if option is None:
            return tr("arg.extra", lang, value=values[0])
        name = option.split("=", 1)[0]
        text = tr("arg.unknown_option", lang, option=name)
        close = suggest(name, self._options_for())
        return _hinted(text, close, lang)

    def error(self, message: str) -> NoReturn:
        """Print one translated line (with a "did you mean" where one fits) and exit 2."""
        hint = tr("cli.usage_hint", self.lang, prog=self.prog)
        text = self._translate(message)
        # the prefix as every other error line has it ("geotool: 错误: "), for grep
        opening, closing = (" (", ")") if self.lang == "en" else ("（", "）")
        line = f"geotool: {tr('cli.error', self.lang)}: {text}{opening}{hint}{closing}"
        self.exit(EXIT_USAGE, line + "\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Exit, writing ``message`` to stderr."""
        if message:
            sys.stderr.write(message)
        sys.exit(status)
