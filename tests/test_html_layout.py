"""The web page laid out by headless Chromium (tools/a11y/layout.js): at a phone's 390 CSS
pixels no word is broken mid-letter and nothing but a scrolling frame is wider than the
window; the gaps and recommendations panels carry their colours on screen as in print; the
print stylesheet hides what only a screen needs."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import ROOT
from icat_reports import a11y
from icat_reports.theme import load_theme

SCRIPT = ROOT / "tools" / "a11y" / "layout.js"


@pytest.fixture(scope="module")
def layout(report_dir):
    missing = a11y.axe_available()
    if missing:
        pytest.skip(missing)
    run = subprocess.run(["node", str(SCRIPT), str(report_dir / "analytical-review.html"), "390", "1280"],
                         capture_output=True, text=True, timeout=180,
                         env={**os.environ, "CHROMIUM": a11y.CHROMIUM})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i:i + 2], 16) for i in (0, 2, 4)))


def test_no_word_breaks_mid_letter_at_390_pixels(layout):
    assert layout["390"]["broken"] == []
    assert layout["1280"]["broken"] == []


def test_nothing_is_wider_than_a_phone_but_a_scrolling_frame(layout):
    assert layout["390"]["overflow"] == [] and not layout["390"]["scrollX"]


def test_gaps_and_recommendations_keep_their_colours_on_screen_and_in_print(layout):
    colors = load_theme(ROOT / "templates").colors
    for where in (layout["390"]["colours"], layout["1280"]["colours"], layout["print"]):
        assert where["gaps"] and set(where["gaps"]) == {rgb(colors["gaps"])}
        assert where["recommendations"] and set(where["recommendations"]) == {rgb(colors["recommendations"])}


def test_print_stylesheet_hides_screen_only_parts(layout):
    assert layout["print"]["skipHidden"] and layout["print"]["fnBackHidden"]
