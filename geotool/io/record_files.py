"""Which files are record files: ``[records] paths`` matched, less what is no records.

Patterns are relative to the config's folder (absolute ones are allowed;
``**`` matches any depth). Excel lock files (``~$...``) and hidden files are
skipped, and so are geotool's own output files where the records are looked
for.

An ``--out`` inside a records folder (``geotool gaps . --out records``) would
have the next run read its own lists as records: ``issues.csv`` has ids,
found dates and coordinates. Every run writes ``run.json`` last, listing the
files it wrote (relative to its folder), so those files are known exactly:
the workspace leaves them out of the record files and the loader says so.
"""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path

__all__ = ["matched_files", "own_outputs", "record_files"]

#: How far above a file its run's folder may be (``out/units/<unit>.xlsx``: two).
_LEVELS = 3


def matched_files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    """Files the patterns match (relative to ``root``), sorted per pattern, each once.

    Excel lock files (``~$...``) and hidden files are left out.
    """
    seen: dict[Path, None] = {}
    for pattern in patterns:
        full = Path(pattern).expanduser()
        full = full if full.is_absolute() else root / pattern
        for path in sorted(Path(p) for p in glob.glob(str(full), recursive=True)):
            if path.is_file() and not path.name.startswith(("~$", ".")):
                seen.setdefault(path.resolve(), None)
    return list(seen)


def record_files(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    """The record files: :func:`matched_files` less :func:`own_outputs`.

    Parameters
    ----------
    root : Path
        The config's folder.
    patterns : tuple of str
        ``[records] paths``.

    Returns
    -------
    list of Path
        Absolute paths, each once, in the patterns' order (sorted within each).
    """
    files = matched_files(root, patterns)
    own = set(own_outputs(files))
    return [p for p in files if p not in own]


def own_outputs(files: list[Path]) -> list[Path]:
    """The files among ``files`` that a geotool ``run.json`` above them lists.

    Parameters
    ----------
    files : list of Path
        Absolute paths (the files ``[records] paths`` match).

    Returns
    -------
    list of Path
        Those a run wrote, in the order given.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> _ = (out / "run.json").write_text('{"files": ["issues.csv"]}', encoding="utf-8")
    >>> [p.name for p in own_outputs([out / "issues.csv", out / "week1.xlsx"])]
    ['issues.csv']
    """
    runs: dict[Path, set[str]] = {}
    out = []
    for path in files:  # a workspace's record files: a few, not rows
        folder = path.parent
        for _ in range(_LEVELS):
            listed = runs.get(folder)
            if listed is None:
                listed = runs[folder] = _run_files(folder / "run.json")
            if Path(os.path.relpath(path, folder)).as_posix() in listed:
                out.append(path)
                break
            folder = folder.parent
    return out


def _run_files(path: Path) -> set[str]:
    """The files a geotool ``run.json`` lists (none when there is no readable one)."""
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else set()
