"""How WeasyPrint is imported (icat_reports/weasy.py): no compiler runs, no C is parsed twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, subprocess, sys
ran = []
real = subprocess.Popen.__init__
def spy(self, args, *a, **k):
    ran.append(args if isinstance(args, str) else args[0])
    real(self, args, *a, **k)
subprocess.Popen.__init__ = spy
import cffi
from icat_reports import weasy
from weasyprint.text import ffi
print(json.dumps({"ffi": type(ffi.ffi._ffi).__module__, "pycparser": "pycparser" in sys.modules,
                  "ran": ran, "cffi_restored": cffi.FFI.__name__ == "FFI" and cffi.FFI is not weasy._CompiledFFI,
                  "pdf": len(weasy.HTML(string="<p>Hello</p>").write_pdf()) > 0}))
"""


def probe(cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_weasyprint_loads_its_compiled_declarations_and_runs_no_compiler(tmp_path):
    first = probe(tmp_path)  # compiles the declarations into the cache
    assert [p.name for p in (tmp_path / "icat-reports").glob("_weasyprint_ffi_*.py")]
    second = probe(tmp_path)
    assert second["ffi"] == "_cffi_backend" and not second["pycparser"]  # nothing parsed
    for result in (first, second):
        assert result["pdf"] and result["cffi_restored"]
        assert result["ran"] == []  # the compiled module opens libraries by their file names


def test_without_a_cache_folder_cffi_parses_the_declarations(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = probe(blocked)
    assert result["ffi"] == "cffi.api" and result["pycparser"] and result["pdf"]
    assert result["ran"] == ["/sbin/ldconfig"]  # once, for every library; no gcc (WeasyPrint #1125)
