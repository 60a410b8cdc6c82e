"""A line's leader dots as one run of text, not one text box per repeat.

WeasyPrint (70) fills a leader (`content: leader(" . ")`, the contents page) with a copy of
the leader's text box for every repeat, each positioned from the right end of the line. Each
copy is then shaped again, drawn and tagged on its own: the report's contents page made 700
of its 1,015 text boxes and 15 % of the function calls of printing the whole report.

`join_repeats` keeps WeasyPrint's placement and then replaces the copies by one text box that
starts where the leftmost copy starts and holds the repeated text: the dots land where they
did (the repeats have the same advance either way) and are drawn by one text operation. The
leader box itself is unchanged, so pdftags still marks what it holds as an artifact.

It wraps `weasyprint.layout.inline.handle_leader`, the name the line layout calls. If a later
WeasyPrint no longer has it, leaders are left as WeasyPrint makes them, with a warning, and
tests/test_leaders.py fails, so the change is noticed.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

_installed = False
_aligned = False


def join_repeats(aligned: bool = False) -> None:
    """Wrap WeasyPrint's leader layout, once per process. aligned: the dots of every line
    stand in the same columns, as a typesetter sets them (see _align)."""
    global _installed, _aligned
    _aligned = _aligned or aligned
    if _installed:
        return
    _installed = True
    try:
        from weasyprint.layout import inline
        from weasyprint.layout.leader import leader_index
        from weasyprint.text.line_break import create_layout
        original = inline.handle_leader
    except (ImportError, AttributeError):  # another WeasyPrint: its leaders, as they are
        log.warning("cannot join leader dots; WeasyPrint draws each repeat on its own")
        return

    def handle_leader(context, line, containing_block):
        original(context, line, containing_block)
        index, leader = leader_index(line)
        if index is None or len(leader.children) < 2:
            return
        repeats = leader.children
        first = min(repeats, key=lambda box: box.position_x)
        run = first.copy()
        count = len(repeats)
        if _aligned and line.style['direction'] == 'rtl':
            # Right to left, WeasyPrint places the repeats as for a left-to-right line and then
            # shifts them all, which leaves a ragged gap before the heading: fill the leader box.
            run.position_x, count = _align(leader.position_x, leader.position_x + leader.width, first.width)
        elif _aligned:
            run.position_x, count = _align(first.position_x, max(b.position_x + b.width for b in repeats),
                                           first.width)
        run.text = first.text * count
        run.width = first.width * count
        run.pango_layout = create_layout(run.text, run.style, context, None, 0)
        leader.children = (run,)

    inline.handle_leader = handle_leader


def _align(start: float, end: float, step: float) -> tuple[float, int]:
    """Where the repeats between start and end go, and how many, when each stands on a grid of
    step from the page's left edge: WeasyPrint counts them back from the page number, so the
    dots of "3" and of "12" would stand half a repeat apart."""
    if step <= 0:
        return start, 0
    import math
    first = math.ceil(start / step - 1e-6) * step
    return first, max(0, int((end - first) / step + 1e-6))
