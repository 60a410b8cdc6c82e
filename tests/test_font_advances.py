"""The deck measures text with the theme font's advances, read once and kept (deck.py)."""

from __future__ import annotations

from pathlib import Path

from probes import run_probe

PROBE = """
import json, sys
from icat_reports import deck
path = deck.font_file("Noto Sans")
table = deck._cached_advances(path)
read_by_fonttools = "fontTools.ttLib" in sys.modules
print(json.dumps({"read_by_fonttools": read_by_fonttools, "same": table == deck._read_advances(path),
                  "characters": len(table)}))
"""


def probe(cache: Path) -> dict:
    return run_probe(PROBE, cache=cache)


def test_advances_are_read_once_then_loaded_from_the_cache(tmp_path):
    first = probe(tmp_path)
    assert first["read_by_fonttools"] and first["same"] and first["characters"] > 500
    kept = list((tmp_path / "icat-reports").glob("advances-*.marshal"))
    assert len(kept) == 1
    second = probe(tmp_path)
    assert not second["read_by_fonttools"] and second["same"]
    kept[0].write_bytes(b"not marshal data")  # a damaged file is read again and replaced
    third = probe(tmp_path)
    assert third["read_by_fonttools"] and third["same"]
    assert not probe(tmp_path)["read_by_fonttools"]


def test_without_a_cache_folder_the_font_is_read_every_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = probe(blocked)
    assert result["read_by_fonttools"] and result["same"]
