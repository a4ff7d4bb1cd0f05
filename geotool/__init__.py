"""geotool: coverage and gap analysis for civilized-city campaign offices.

The library is pure functions over GeoDataFrames; the most used ones are
re-exported here so a notebook gets what the CLI writes::

    import geotool
    loaded = geotool.load_workspace("layers")
    result = geotool.find_gaps(loaded, params=loaded.workspace.defaults)
    result.features[~result.features.covered]     # forgotten places
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geotool._errors import ConfigError, CRSError, GeotoolError, InputError

if TYPE_CHECKING:
    from geotool.analysis.blindspots import blindspots
    from geotool.analysis.coverage import coverage, touches
    from geotool.analysis.gaps import GapResult, find_gaps
    from geotool.analysis.issues import issue_states
    from geotool.io.config import Defaults, load_config
    from geotool.io.workspace import load_workspace

# the re-exports are imported when first used (PEP 562), so `import geotool` and
# the command line start without geopandas: a command reads its record files
# while the libraries load (geotool.io.early_read)
_LAZY = {
    "blindspots": "geotool.analysis.blindspots",
    "coverage": "geotool.analysis.coverage",
    "touches": "geotool.analysis.coverage",
    "GapResult": "geotool.analysis.gaps",
    "find_gaps": "geotool.analysis.gaps",
    "issue_states": "geotool.analysis.issues",
    "Defaults": "geotool.io.config",
    "load_config": "geotool.io.config",
    "load_workspace": "geotool.io.workspace",
}

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "ConfigError",
    "Defaults",
    "GapResult",
    "GeotoolError",
    "InputError",
    "blindspots",
    "coverage",
    "find_gaps",
    "issue_states",
    "load_config",
    "load_workspace",
    "touches",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geotool' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
