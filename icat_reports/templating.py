"""The Jinja2 environment shared by every HTML-based renderer (report, slides, notes).

Autoescape is on: content is text, and only the `inline` filter turns its Markdown subset
into markup, from spans that were already checked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .inline import spans


def inline_html(text: str) -> Markup:
    out = []
    for span in spans(str(text)):
        html = str(escape(span.text))
        if span.italic:
            html = f"<em>{html}</em>"
        if span.bold:
            html = f"<strong>{html}</strong>"
        if span.href:
            html = f'<a href="{escape(span.href)}">{html}</a>'
        out.append(html)
    return Markup("".join(out))


@lru_cache(maxsize=8)
def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline"] = inline_html
    return env
