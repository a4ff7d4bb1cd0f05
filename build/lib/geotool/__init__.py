"""geotool: coverage and gap analysis for civilized-city campaign offices.

The library is pure functions over GeoDataFrames; the most used ones are
re-exported here so a notebook gets what the CLI writes::

    import geotool
    loaded = geotool.load_workspace("layers")
    result = geotool.find_gaps(loaded, params=loaded.workspace.defaults)
    result.features[~result.features.covered]     # forgotten places
"""

from geotool._errors import ConfigError, CRSError, GeotoolError, InputError
from geotool.analysis.blindspots import blindspots
from geotool.io.config import Defaults, load_config
from geotool.analysis.coverage import coverage, touches
from geotool.analysis.gaps import GapResult, find_gaps
from geotool.analysis.issues import issue_states
from geotool.io.workspace import load_workspace

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
