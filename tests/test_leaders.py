"""Leader dots joined into one run of text per line (engines/leaders.py) land where WeasyPrint
puts them, one repeat at a time."""

from __future__ import annotations

import re
import subprocess
import sys

import pikepdf

from conftest import ROOT

PAGE = """<html lang="en"><style>
  @page { size: A5; margin: 15mm; }
  body { font-family: "Noto Sans"; font-size: 11pt; }
  p a::after { content: leader(" . ") attr(data-page); }
</style><body>
  <p><a data-page="3">Short</a></p>
  <p><a data-page="12">A longer entry of the contents</a></p>
  <p><a data-page="105">An entry long enough to run onto a second line of the page, where the leader is</a></p>
</body></html>"""

PRINT = f"""
import sys
from icat_reports.engines.leaders import join_repeats
from icat_reports.engines.weasy import HTML
if sys.argv[1] == "joined":
    join_repeats()
sys.stdout.buffer.write(HTML(string={PAGE!r}).write_pdf())
"""


def printed(how: str, tmp_path) -> tuple[list[tuple], int]:
    pdf = tmp_path / f"{how}.pdf"
    pdf.write_bytes(subprocess.run([sys.executable, "-c", PRINT, how], cwd=ROOT, capture_output=True,
                                   check=True).stdout)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    words = [(w, *map(float, xy)) for *xy, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', boxes)]
    with pikepdf.open(pdf) as doc:
        shown = sum(op in (pikepdf.Operator("Tj"), pikepdf.Operator("TJ"))
                    for _, op in pikepdf.parse_content_stream(doc.pages[0]))
    return words, shown


def test_joined_leader_dots_are_where_weasyprint_puts_them(tmp_path):
    own, own_shown = printed("weasyprint", tmp_path)
    joined, joined_shown = printed("joined", tmp_path)
    assert [w[0] for w in joined] == [w[0] for w in own]
    assert sum(w[0] == "." for w in own) > 60  # dots enough to tell
    for a, b in zip(own, joined):
        assert max(abs(x - y) for x, y in zip(a[1:], b[1:])) < 0.05, (a, b)
    assert joined_shown < own_shown - 60  # one text run per leader, not one per dot
