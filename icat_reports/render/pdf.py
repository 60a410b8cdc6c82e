"""The report's HTML page, rendered for print, to an A4 PDF, printed by WeasyPrint with the
print stylesheet (footnotes at the foot of their page).

WeasyPrint reads only the project's templates (ProjectOnlyFetcher), and the report's font is
checked before printing so that a missing font fails loudly instead of falling back silently.
The PDF is tagged PDF/UA-1 (pdftags.py): a screen reader meets the same headings, lists, tables
and links as in the HTML page, and skips the running headers and footers. A long report is laid
out in parts, one process per core (engines/parts.py); the PDF is the same.
"""

from __future__ import annotations

import logging
import shutil

from ..deck import font_file
from ..engines.fetcher import ProjectOnlyFetcher
from ..job import Job
from ..engines.weasy import font_config
from .html import report_html
from ..engines.leaders import join_repeats
from ..engines.parsing import page
from ..engines.parts import PartsFailed, print_in_parts
from ..engines.pdftags import write_tagged_pdf

log = logging.getLogger(__name__)

IDENTIFIER = b"icat-analytical-review"
# Characters of HTML per part, at least, before the report is laid out in parts on several
# cores (engines/parts.py): below about 35 pages, starting the processes costs more than it saves.
PART_SIZE = 40_000


class MissingFont(RuntimeError):
    pass


def check_font(family: str) -> None:
    """Fail unless fontconfig has the theme's font: the PDF must embed it, not a look-alike.

    The same lookup as the deck's, which measures text with the font's file: asked once per
    process (and inherited by the rendering processes), not once per PDF."""
    if shutil.which("fc-match") and font_file(family) is None:
        raise MissingFont(f"font '{family}' is not installed; run `make` (it installs fonts-noto-core)")


def print_pdf(job: Job, html: str) -> bytes:
    check_font(job.theme.fonts["body"])
    join_repeats(aligned=True)  # the contents' dots in columns
    fetcher = ProjectOnlyFetcher(job.templates, allow_redirects=False)
    base_url = f"{job.templates}/"
    parts = min(job.workers, len(html) // PART_SIZE)
    if parts > 1:
        try:
            printed = print_in_parts(html, parts, base_url, fetcher, IDENTIFIER)
            if printed is not None:
                return printed
        except PartsFailed as error:
            log.warning("laying the report out in one process: %s", error)
    document = page(html, base_url, fetcher)
    return write_tagged_pdf(document, pdf_identifier=IDENTIFIER, font_config=font_config())


def output(job: Job) -> str:
    return f"{job.report_name}.pdf"


def render(job: Job) -> dict[str, bytes]:
    return {output(job): print_pdf(job, report_html(job, "print"))}
