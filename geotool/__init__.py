"""geotool: coverage and gap analysis for civilized-city campaign offices."""

__version__ = "0.1.0"
