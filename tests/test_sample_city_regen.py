"""The committed sample city is exactly what its generator writes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def test_regenerating_reproduces_layers_byte_for_byte(tmp_path):
    out = tmp_path / "layers"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_sample_city.py"), "--out",
                    str(out), "--no-verify"], check=True, capture_output=True)
    committed = {p.relative_to(REPO / "layers"): p for p in (REPO / "layers").rglob("*")
                 if p.is_file()}
    written = {p.relative_to(out): p for p in out.rglob("*") if p.is_file()}
    assert sorted(written) == sorted(committed)
    differ = [str(name) for name, p in committed.items()
              if p.read_bytes() != written[name].read_bytes()]
    assert differ == []
