"""Command line: ``python scripts/make_sample_city.py [--out layers] [--no-verify]``."""

from __future__ import annotations

import argparse
from pathlib import Path

import sample_city
from sample_city.city import generate


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python scripts/make_sample_city.py [--out layers]``."""
    parser = argparse.ArgumentParser(description=sample_city.__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "layers")
    parser.add_argument("--no-verify", action="store_true", help="skip measuring the story")
    args = parser.parse_args(argv)
    res = generate(args.out, verify=not args.no_verify)
    if res is not None:
        for key, value in res.items():
            print(f"{key}: {value}")
    return 0
