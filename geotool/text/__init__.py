"""Every planner-facing word, in Chinese (default) and English (``--lang en``).

One table, :data:`TABLE`, maps a key to its (Chinese, English) ``str.format``
templates. The words are data, not code: they live in topic files beside this
module, ``geotool/text/<topic>.toml``, an entry a key,
``"key" = ["Chinese", "English"]`` (``messages``: load notes and errors;
``words``: command line ``cli.*``, maps ``map.*``, workbook ``sheet.*``;
``headers``: column headers ``header.*`` and statuses ``status.*``;
``reasons``: quarantine reasons ``reason.*``; and a file for each later area,
all listed in :data:`TOPICS`); a key is defined once. :func:`tr` looks a key
up; a :class:`Note` is a key plus its parameters
that *is* a ``str`` holding the English text (library users and ``str(exc)``
see English) and renders in either language.

Parameters that are themselves a :class:`Note` or :class:`Join` are
translated too; anything else (file paths, config keys, values) is shown
verbatim.

Examples
--------
>>> note = Note("note.title_rows", where=Note("where.sheet", sheet="台账"), n=2)
>>> str(note)
"sheet '台账': skipped 2 title row(s) above the header"
>>> note.render("zh")
"工作表 '台账'：跳过了表头上方的 2 行标题"
>>> tr("map.rank_value", "en", rank=1, n=4)
'1 of 4'
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any, Self

__all__ = ["LANGS", "TABLE", "TOPICS", "Join", "Note", "colon_mark", "geos_reason", "header",
           "join_where", "level_name", "paren", "paren_marks", "reason_codes", "reason_text",
           "render", "status_label", "topic", "tr", "where_prefix"]

LANGS = ("zh", "en")


def _merge(*parts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for part in parts:
        twice = table.keys() & part.keys()
        if twice:  # pragma: no cover - a programming error, caught by the tests
            raise KeyError(f"text keys defined twice: {sorted(twice)}")
        table.update(part)
    return table


#: The topic files (``geotool/text/<topic>.toml``), in the order they are merged.
TOPICS = (
    "messages", "words", "headers", "reasons", "history", "inputs", "mapview",
    "guard",  # issue #8, input guards
    "lists", "help",  # issue #12: units' workbooks, command-line help
    "dask",  # issue #16, distributed engine and Parquet records
    "layers_empty",  # issue #8, empty ledger layers
    "risk",  # issue #15, evaluation risk and route
)


def topic(name: str) -> dict[str, tuple[str, str]]:
    """The words of one topic file, ``geotool/text/<name>.toml``.

    Parameters
    ----------
    name : str
        One of :data:`TOPICS`.

    Returns
    -------
    dict
        key -> (Chinese, English) template, in the file's order.

    Examples
    --------
    >>> topic("reasons")["reason.missing_feature_id"][1]
    'missing id'
    """
    source = files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    words: dict[str, tuple[str, str]] = {}
    for key, pair in tomllib.loads(source).items():
        if not (isinstance(pair, list) and len(pair) == 2
                and all(isinstance(s, str) for s in pair)):  # pragma: no cover - caught by tests
            msg = f"geotool/text/{name}.toml: {key!r} is not [Chinese, English]"
            raise ValueError(msg)
        words[key] = (pair[0], pair[1])
    return words


#: key -> (Chinese, English) template, for every planner-facing text.
TABLE: dict[str, tuple[str, str]] = _merge(*(topic(name) for name in TOPICS))

#: Where an error happened, before its text: (Chinese, English).
_WHERE: dict[str, tuple[str, str]] = {
    "row": ("第 {row} 行", "row {row}"),
    "column": ("列 {column!r}", "column {column!r}"),
}
_SEP = {"zh": ("，", "："), "en": (", ", ": ")}

_GEOS = {
    "self-intersection": "geos.self_intersection",
    "ring self-intersection": "geos.ring_self_intersection",
    "too few points": "geos.too_few_points",
    "hole lies outside shell": "geos.hole_outside_shell",
    "nested holes": "geos.nested_holes",
    "nested shells": "geos.nested_shells",
    "interior is disconnected": "geos.interior_disconnected",
    "duplicate rings": "geos.duplicate_rings",
    "invalid coordinate": "geos.invalid_coordinate",
    "ring is not closed": "geos.ring_not_closed",
}


def _lang(lang: str | None) -> int:
    """Index into a (zh, en) pair: English only when asked for, Chinese otherwise."""
    return 1 if lang == "en" else 0


def render(value: object, lang: str = "zh") -> str:
    """``value`` in ``lang`` when it can be rendered (a :class:`Note`), else ``str(value)``.

    Examples
    --------
    >>> render(Note("word.none"), "zh"), render("as is", "zh")
    ('无', 'as is')
    """
    renderer = getattr(value, "render", None)
    return renderer(lang) if callable(renderer) else str(value)


def _format(key: str, lang: str, params: Mapping[str, Any]) -> str:
    template = TABLE[key][_lang(lang)]
    shown = {k: (v.render(lang) if isinstance(v, (Note, Join)) else v) for k, v in params.items()}
    return template.format(**shown)


def _restore(key: str, params: dict[str, Any]) -> Note:
    return Note(key, **params)


class Note(str):
    """A message key and its parameters; the ``str`` value is the English text.

    Parameters
    ----------
    key : str
        A key of :data:`TABLE`.
    **params
        The template's fields. A :class:`Note` or :class:`Join` is rendered in
        the chosen language; other values are shown as they are.

    Examples
    --------
    >>> n = Note("note.encoding", encoding="gbk")
    >>> n, n.render("zh"), n.render("en"), n.key
    ('text encoding gbk', '文本编码为 gbk', 'text encoding gbk', 'note.encoding')
    """

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, /, **params: Any) -> Self:
        if key not in TABLE:
            raise KeyError(f"no text {key!r} in geotool.text.TABLE")
        obj = super().__new__(cls, _format(key, "en", params))
        obj.key = key
        obj.params = params
        return obj

    def render(self, lang: str = "zh") -> str:
        """The text in ``lang`` (``"zh"`` or ``"en"``)."""
        return _format(self.key, lang, self.params)

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (self.key, dict(self.params))


class Join:
    """Items (notes or plain values) joined by a separator, rendered item by item.

    Examples
    --------
    >>> j = Join([Note("geos.self_intersection"), "Something else"], "; ")
    >>> str(j), j.render("zh")
    ('Self-intersection; Something else', '自相交；Something else')
    """

    def __init__(self, items: Iterable[object], sep: str = ", ",
                 sep_zh: str | None = None) -> None:
        self.items = tuple(items)
        self.sep = sep
        self.sep_zh = sep_zh if sep_zh is not None else {"; ": "；", ", ": "、"}.get(sep, sep)

    def render(self, lang: str = "zh") -> str:
        """The items in ``lang``, joined."""
        sep = self.sep if lang == "en" else self.sep_zh
        return sep.join(render(item, lang) for item in self.items)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Join({list(self.items)!r}, {self.sep!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Join) and (self.items, self.sep) == (other.items, other.sep)

    __hash__ = None  # type: ignore[assignment]


def geos_reason(text: str) -> Note:
    """A GEOS validity reason (``shapely.is_valid_reason`` without its location) as a note.

    Examples
    --------
    >>> geos_reason("Self-intersection").render("zh"), geos_reason("Odd thing").render("zh")
    ('自相交', 'Odd thing')
    """
    key = _GEOS.get(text.strip().lower())
    return Note(key) if key else Note("geos.other", text=text)


def where_prefix(lang: str, path: str | None, row: int | None, column: str | None) -> str:
    """``file, row N, column 'c'`` (or its Chinese) for an error; ``""`` when nothing is known."""
    i = _lang(lang)
    parts = [path] if path else []
    if row is not None:
        parts.append(_WHERE["row"][i].format(row=row))
    if column:
        parts.append(_WHERE["column"][i].format(column=column))
    return _SEP["zh" if i == 0 else "en"][0].join(parts)


def join_where(lang: str, where: str, text: str) -> str:
    """``where: text`` with the language's punctuation."""
    return f"{where}{_SEP['zh' if _lang(lang) == 0 else 'en'][1]}{text}" if where else text


def fields(template: str) -> set[str]:
    """The field names a format template uses (for checking zh and en agree).

    Examples
    --------
    >>> sorted(fields("{a!r} and {b:,.0f}"))
    ['a', 'b']
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def tr(key: str, lang: str = "zh", /, **params: Any) -> str:
    """The text ``key`` in ``lang``, formatted with ``params``.

    Parameters
    ----------
    key : str
        A key of :data:`TABLE`.
    lang : {"zh", "en"}
        Chinese unless ``"en"``.
    **params
        The template's fields; a :class:`Note` or :class:`Join` is rendered in ``lang``.

    Examples
    --------
    >>> tr("cli.total"), tr("cli.total", "en")
    ('合计', 'total')
    """
    return _format(key, lang, params)


def header(column: str, lang: str = "zh") -> str:
    """Planner-facing header of a column (the column name itself when unknown).

    Examples
    --------
    >>> header("unit"), header("coverage_rate_alleys", "en"), header("zzz")
    ('责任单位', 'Coverage rate: alleys', 'zzz')
    """
    key = f"header.{column}"
    if key in TABLE:
        return tr(key, lang)
    if column.startswith("coverage_rate_"):
        return tr("sheet.coverage_rate_layer", lang, layer=column[len("coverage_rate_"):])
    return column


def paren(text: str, inner: object, lang: str = "zh") -> str:
    """``text`` with ``inner`` in brackets: full-width in Chinese, ASCII with a space in English.

    Examples
    --------
    >>> paren("背街小巷", "3,201"), paren("Back alleys", "3,201", "en")
    ('背街小巷（3,201）', 'Back alleys (3,201)')
    """
    left, right = paren_marks(lang)
    return f"{text}{left}{inner}{right}"


def colon_mark(lang: str = "zh") -> str:
    """The colon after a label in ``lang``: full-width in Chinese, ASCII with a space in English.

    Examples
    --------
    >>> colon_mark(), colon_mark("en")
    ('：', ': ')
    """
    return ": " if lang == "en" else "："


def paren_marks(lang: str = "zh") -> tuple[str, str]:
    """The brackets :func:`paren` puts around its inner text in ``lang``."""
    return (" (", ")") if lang == "en" else ("（", "）")


def status_label(status: str, lang: str = "zh") -> str:
    """Planner-facing word for a canonical status (the value itself when unknown).

    Examples
    --------
    >>> status_label("closed"), status_label("odd")
    ('已销号', 'odd')
    """
    key = f"status.{status}"
    return tr(key, lang) if key in TABLE else status


def reason_text(code: str, lang: str = "zh") -> str:
    """The planner-facing text of a quarantine reason code.

    Examples
    --------
    >>> reason_text("missing_feature_id", "en")
    'missing id'
    """
    return tr(f"reason.{code}", lang)


def reason_codes() -> list[str]:
    """Every quarantine reason code, sorted."""
    return sorted(k[len("reason."):] for k in TABLE if k.startswith("reason."))


def level_name(depth: int, lang: str = "zh") -> str:
    """Name of the areas ``depth`` levels below a district (1 = streets).

    Examples
    --------
    >>> level_name(1), level_name(5, "en")
    ('街道/乡镇', 'Level 5 areas')
    """
    if 1 <= depth <= 3:
        return tr(f"map.level_{depth}", lang)
    return tr("map.level_n", lang, n=depth)
