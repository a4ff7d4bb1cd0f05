"""Time one ``geotool gaps`` run by stage, in this fresh process; print the figures as JSON.

Used by ``bench_gaps.py`` and ``bench_real.py``, which run it as a child so
the import time and the peak memory (max RSS) are this run's alone.

Usage::

    python bench/stages.py WORKSPACE OUT [--xlsx-apart]

Prints one JSON line: records, features, districts, quarantined rows, and
seconds for ``import_s``, ``read_s``, ``analyse_s``, ``write_s`` (all outputs;
with ``--xlsx-apart`` the outputs without ``gaps.xlsx``, which is then
written again with it and its share given as ``xlsx_s``), ``total_s``
(import to written) and ``peak_mb``, with the peak reached by the end of
reading (``peak_mb_read``) and of the analysis (``peak_mb_analyse``).
"""

import json
import resource
import sys
import time

t0 = time.perf_counter()
from geotool._allocator import keep_small_pages
from geotool.analysis.gaps import find_gaps
from geotool.io.workspace import load_workspace
from geotool.output.report import write_gaps

t1 = time.perf_counter()
workspace, out = sys.argv[1], sys.argv[2]
xlsx_apart = "--xlsx-apart" in sys.argv[3:]
def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


keep_small_pages()  # as the geotool command does
loaded = load_workspace(workspace)
t2 = time.perf_counter()
read_mb = _peak_mb()
result = find_gaps(loaded, params=loaded.workspace.defaults)
t3 = time.perf_counter()
analyse_mb = _peak_mb()
write_gaps(result, out, xlsx=not xlsx_apart)
t4 = time.perf_counter()
figures = {"records": len(loaded.records), "features": len(loaded.features),
           "districts": int((loaded.districts.level == 0).sum()),
           "quarantined": len(loaded.quarantine), "import_s": t1 - t0, "read_s": t2 - t1,
           "analyse_s": t3 - t2, "write_s": t4 - t3, "total_s": t4 - t0,
           "peak_mb_read": read_mb, "peak_mb_analyse": analyse_mb}
if xlsx_apart:
    write_gaps(result, out + "_xlsx")
    figures["xlsx_s"] = (time.perf_counter() - t4) - (t4 - t3)
figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(figures))
