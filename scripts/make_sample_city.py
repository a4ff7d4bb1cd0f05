#!/usr/bin/env python
"""Generate the sample workspace of 示例市, a fictional city, into ``layers/``.

Usage::

    python scripts/make_sample_city.py [--out layers] [--no-verify]

The generator is the package ``scripts/sample_city/`` (geometry, ledgers,
records, bad rows, writers, checker); its docstring tells the city's story.
"""

from sample_city.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
