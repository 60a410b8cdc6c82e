"""Pages with no margin box, given none at once.

For every page, WeasyPrint (70) makes all sixteen margin boxes (@top-left ... @bottom-right-
corner): it computes each one's style, builds it and resolves its percentages, and only then
drops those whose `content` generates nothing. The slides, the cover, the imprint and the back
cover have none: 28 of the 41 pages of a build, 0.05 s of the handout's printing.

`skip_empty` wraps `weasyprint.layout.make_margin_boxes`, the name the page layout calls: a
page whose sixteen margin styles generate no content gets no margin box without building any,
which is what WeasyPrint ends up with; any other page goes to WeasyPrint as before. If a
later WeasyPrint no longer has that name, the pages are left to it, and tests/test_weasy.py
fails, so the change is noticed.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# The margin boxes of a page, as WeasyPrint's make_margin_boxes names them.
KEYWORDS = tuple(f"@{side}-{place}" for side in ("top", "bottom") for place in ("left", "center", "right")) + \
    tuple(f"@{side}-{place}" for side in ("left", "right") for place in ("top", "middle", "bottom")) + \
    tuple(f"@{corner}-corner" for corner in ("top-left", "top-right", "bottom-left", "bottom-right"))
NOTHING = ("normal", "inhibit", "none")  # `content` values that generate no box (WeasyPrint's test)

_installed = False


def skip_empty() -> None:
    """Wrap WeasyPrint's margin box layout, once per process."""
    global _installed
    if _installed:
        return
    _installed = True
    try:
        from weasyprint import layout
        original = layout.make_margin_boxes
    except (ImportError, AttributeError) as error:
        log.warning("WeasyPrint has changed (%s): margin boxes are made for every page", error)
        return

    def make_margin_boxes(context, page, state):
        for keyword in KEYWORDS:
            style = context.style_for(page.page_type, keyword)
            if style is not None and style["content"] not in NOTHING:
                return original(context, page, state)
        return iter(())

    make_margin_boxes.wrapped = original
    layout.make_margin_boxes = make_margin_boxes
