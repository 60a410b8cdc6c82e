"""The Jinja2 environment shared by every HTML-based renderer (report, slides, notes).

Autoescape is on: content is text, and only the `inline` filter turns its Markdown subset
into markup, from spans that were already checked. Templates are compiled once into the
user's cache folder (caches.py) and reused while their source is unchanged: compiling the six
took 54 ms in every build, loading them takes 2 ms.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .caches import cache_dir
from .dates import long_date
from .inline import plain, spans

log = logging.getLogger(__name__)


def inline_html(text: str) -> Markup:
    """A content string's inline Markdown subset as HTML."""
    return spans_html(spans(str(text)))


def spans_html(text, note_ref=None) -> Markup:
    """Inline text (a tuple of Span, tree.py) as HTML: em, strong, a; a footnote reference is
    what note_ref(number) makes of it (the report page links it to its note), else a bare mark."""
    out = []
    for span in text:
        if span.note is not None:
            out.append(str(note_ref(span.note)) if note_ref is not None
                       else f'<sup class="fn-ref">{span.note}</sup>')
            continue
        html = str(escape(span.text))
        if span.italic:
            html = f"<em>{html}</em>"
        if span.bold:
            html = f"<strong>{html}</strong>"
        if span.href:
            html = f'<a href="{escape(span.href)}">{html}</a>'
        out.append(html)
    return Markup("".join(out))


def css_string(text: str) -> str:
    """A quoted CSS string; '<' is escaped too so no value can close the <style> element."""
    out = []
    for ch in str(text):
        if ch in '"\\<>' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@lru_cache(maxsize=32)
def mark_url(color: str, shape: str = "disc") -> str:
    """A data: URL of a list mark in color (#rrggbb) as a PNG: a round bullet ("disc") or a dash
    ("dash", 8:1). Printed lists draw their marks as backgrounds: WeasyPrint lays out a list
    marker or a ::before bullet as a box of its own, which took 40 % of a long report's
    layout, and it paints an SVG background anew for every item but embeds a PNG once."""
    from PIL import Image, ImageColor, ImageDraw  # Pillow comes with WeasyPrint

    if shape not in ("disc", "dash"):
        raise ValueError(f"no list mark called {shape!r}")
    red, green, blue = ImageColor.getrgb(color)[:3]
    size = (256, 256) if shape == "disc" else (256, 32)
    large = Image.new("RGBA", size, (red, green, blue, 0))
    draw = ImageDraw.Draw(large)
    fill = (red, green, blue, 255)
    if shape == "disc":
        draw.ellipse((0, 0, 255, 255), fill=fill)
    else:
        draw.rectangle((0, 0, 255, 31), fill=fill)
    out = io.BytesIO()
    large.resize((size[0] // 4, size[1] // 4), Image.LANCZOS).save(out, "PNG")  # smooth edges
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's own cache of compiled templates, which checks each against its source's
    checksum; writes are atomic. A folder that cannot be written only means compiling again."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.debug("cannot keep the compiled template %s: %s", bucket.key, error)


def _compiled_templates() -> jinja2.BytecodeCache | None:
    # Compiled code also depends on the environment's options (set below, in this file) and
    # on Jinja's version, which the cache does not check: they name the folder instead.
    key = hashlib.sha256(jinja2.__version__.encode() + Path(__file__).read_bytes()).hexdigest()[:16]
    folder = cache_dir() / f"templates-{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.debug("compiling templates in every build: %s", error)
        return None
    return _CompiledTemplates(str(folder))


@jinja2.pass_context
def _spans_filter(context, text) -> Markup:
    """`text | spans`: a node's inline text; footnote references as the template's `note_ref`
    (in its context) renders them."""
    return spans_html(text, context.get("note_ref"))


def header_widths(text: str, size_pt: float, family: str, area_pt: float,
                  fallback: tuple[str, ...] = ()) -> tuple[float, float]:
    """The widths in pt of a running header's two margin boxes, the left
    one taking what the right one's fixed text (a title, a date) leaves.

    WeasyPrint sizes margin boxes whose width is auto by laying their text out twice more, for
    its min- and max-content widths: a fifth of the report's layout time (0.15 s). Given
    widths, it lays each out once. The right box gets its text's width measured with the
    font's advances (the fallback fonts' for characters it lacks), a tenth more for kerning
    and shaping, and at most half the line."""
    from .deck import Measure
    right = min(area_pt / 2, Measure.of(family, tuple(fallback)).width(text, size_pt) * 1.1 + 2)
    return round(area_pt - right, 2), round(right, 2)


def running_head(text: str, width_pt: float, size_pt: float, family: str,
                 fallback: tuple[str, ...] = ()) -> str | None:
    """A heading as a running header shows it on one line of width_pt: cut after the last
    word that fits, with an ellipsis, or None when the whole heading fits.

    The cut is made here, not by CSS (`text-overflow: ellipsis`): WeasyPrint maps the ellipsis
    glyph to all the text it hides, which copies back as the whole heading and gives the PDF a
    ToUnicode entry longer than PDF readers accept."""
    from .deck import Measure
    measure = Measure.of(family, tuple(fallback))
    fits = lambda s: measure.width(s, size_pt) * 1.1 <= width_pt
    text = " ".join(text.split())
    if fits(text):
        return None
    words = text.split(" ")
    while len(words) > 1 and not fits(" ".join(words) + "\u2026"):
        words.pop()
    cut = " ".join(words)
    while cut and not fits(cut + "\u2026"):  # one word longer than the line
        cut = cut[:-1]
    return cut.rstrip(" ,;:.\u2014\u2013-") + "\u2026"


@jinja2.pass_context
def _long_date(context, value) -> str:
    """`date | long_date`: in the language of the content the template renders (`c`)."""
    content = context.get("c")
    return long_date(value, getattr(content, "language", None) or "en")


def _kind(node) -> str:
    """`node | kind`: the type of a document tree node ('Paragraph', 'Table', ...), for the
    templates' one macro per node type."""
    return type(node).__name__


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=_compiled_templates(),
        # HTML is escaped; stylesheets are not (values go in through css_string).
        autoescape=lambda name: not (name or "").endswith(".css"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline"] = inline_html
    env.filters["spans"] = _spans_filter
    env.filters["kind"] = _kind
    env.filters["css_string"] = css_string
    env.filters["long_date"] = _long_date
    env.filters["plain"] = plain
    env.filters["plain_spans"] = lambda text: "".join(s.text for s in text if s.note is None)
    env.filters["mark_url"] = mark_url
    return env
