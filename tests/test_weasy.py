"""How WeasyPrint is imported (icat_reports/engines/weasy.py): no compiler runs, no C is parsed twice."""

from __future__ import annotations

import subprocess
from pathlib import Path

from probes import run_probe

PROBE = """
import json, subprocess, sys
ran = []
real = subprocess.Popen.__init__
def spy(self, args, *a, **k):
    ran.append(args if isinstance(args, str) else args[0])
    real(self, args, *a, **k)
subprocess.Popen.__init__ = spy
import cffi
from icat_reports.engines import weasy
from weasyprint.text import ffi
print(json.dumps({"ffi": type(ffi.ffi._ffi).__module__, "pycparser": "pycparser" in sys.modules,
                  "ran": ran, "cffi_restored": cffi.FFI.__name__ == "FFI" and cffi.FFI is not weasy._CompiledFFI,
                  "pdf": len(weasy.HTML(string="<p>Hello</p>").write_pdf()) > 0}))
"""


def probe(cache: Path) -> dict:
    return run_probe(PROBE, cache=cache)


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


DEFERRED = """
import io, json, sys
from pypdf import PdfReader
from icat_reports.engines import weasy
import weasyprint.pdf.fonts as fonts
from fontTools.ttLib import TTFont
deferred = [type(sys.modules[name]).__name__ == "_Deferred"
            for name in ("fontTools.subset", "fontTools.varLib.instancer")]
loaded_before = "fontTools.varLib" in sys.modules or "fontTools.subset.cff" in sys.modules
fonts.harfbuzz_subset = None  # WeasyPrint's fallback: subset the fonts with fontTools
pdf = weasy.HTML(string="<p style='font-family: Noto Sans'>Hello</p>").write_pdf()
fonts_in = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
embedded = [bool(f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get("/FontFile2"))
            for f in fonts_in]
subsetter_loaded = hasattr(sys.modules["fontTools.subset"], "__file__")
try:  # reaches fontTools' own function, which refuses a font that is not variable
    fonts.instantiateVariableFont(TTFont(sys.argv[1]), {"wght": 400})
    instancer = "no error"
except ValueError as error:
    instancer = str(error)
print(json.dumps({"deferred": deferred, "loaded_before": loaded_before, "pdf": len(pdf),
                  "font_embedded": embedded == [True], "subsetter_loaded": subsetter_loaded,
                  "instancer": instancer}))
"""


def test_fonttools_subsetter_and_instancer_load_when_first_used():
    font = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans"], capture_output=True, text=True).stdout
    result = run_probe(DEFERRED, font)
    assert result["deferred"] == [True, True] and not result["loaded_before"]
    assert result["pdf"] and result["font_embedded"] and result["subsetter_loaded"]
    assert "fvar" in result["instancer"]


def test_pages_without_margin_boxes_print_as_weasyprint_prints_them():
    """engines/margins.py skips the margin boxes of pages that have none: the wrap is in place
    on this WeasyPrint, and a document with pages of both kinds prints the same with it as
    without it."""
    from weasyprint import layout
    from icat_reports.engines import weasy  # noqa: F401  (installs the wrap)
    from icat_reports.engines.weasy import HTML

    assert getattr(layout.make_margin_boxes, "wrapped", None) is not None, "WeasyPrint changed"
    html = """<style>@page { size: 100mm 60mm; @top-right { content: "Running title"; }
                             @bottom-center { content: counter(page) " of " counter(pages); } }
              @page plain { @top-right { content: none; } @bottom-center { content: none; } }
              .plain { page: plain; } p { break-after: page; }</style>
              <p>One</p><p class="plain">Two</p><p>Three</p>"""
    wrapped = layout.make_margin_boxes
    try:
        with_skip = HTML(string=html).render()
        layout.make_margin_boxes = wrapped.wrapped
        without = HTML(string=html).render()
    finally:
        layout.make_margin_boxes = wrapped

    def boxes(document):
        return [[(type(b).__name__, b.at_keyword, round(b.position_x, 2), round(b.width, 2))
                 for b in page._page_box.children if hasattr(b, "at_keyword")]
                for page in document.pages]
    assert boxes(with_skip) == boxes(without)
    assert [len(p) for p in boxes(with_skip)] == [2, 0, 2]
