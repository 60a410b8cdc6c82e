"""Generated content thrown at `check` and the builders (hypothesis): whatever a file says, the
build either succeeds or refuses it in words, with exit 2 and no traceback; never exit 1.

Each example changes one value of the real content (or a whole file) in a private copy, so
the examples cover what editors really touch. A few hundred examples, well under a minute.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icat_reports.cli import main

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p.name for p in (ROOT / "content").glob("*.yaml"))
ORIGINAL = {name: (ROOT / "content" / name).read_text("utf-8") for name in FILES}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow])


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def _paths(value, path=()):
    """Every place in a YAML document: (path, value)."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, path + (i,))


def _replace(data, path, new):
    if not path:
        return new
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return data


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                    st.floats(allow_nan=False), texts, st.dates().map(str))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


def _check(folder: Path, capsys) -> int:
    code = main(["check", "--content", str(folder)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    return code


@settings(max_examples=100, **SETTINGS)
@given(file=st.sampled_from(FILES), choice=st.integers(0, 10**6), value=values)
def test_any_value_anywhere_checks_or_exits_2(folder, capsys, file, choice, value):
    data = yaml.safe_load(ORIGINAL[file])
    places = list(_paths(data))
    path, _ = places[choice % len(places)]
    changed = _replace(data, path, value)
    target = folder / file
    try:
        target.write_text(yaml.safe_dump(changed, allow_unicode=True), "utf-8")
        _check(folder, capsys)
    finally:
        target.write_text(ORIGINAL[file], "utf-8")


@settings(max_examples=100, **SETTINGS)
@given(file=st.sampled_from(FILES), text=st.text(max_size=300))
def test_any_file_text_checks_or_exits_2(folder, capsys, file, text):
    """Cut-off files, stray characters, tabs, BOMs: raw text where a YAML file was."""
    target = folder / file
    cut = ORIGINAL[file][: len(text) * 7 % (len(ORIGINAL[file]) + 1)]
    try:
        target.write_text(cut + text, "utf-8", errors="surrogatepass")
        _check(folder, capsys)
    finally:
        target.write_text(ORIGINAL[file], "utf-8")


@settings(max_examples=40, **SETTINGS)
@given(gap=texts, name=texts)
def test_any_item_text_builds_every_report_format_or_exits_2(folder, tmp_path_factory, capsys, gap, name):
    """Text that passes `check` builds: the HTML page and the Word file (the PDF prints the
    HTML; the slides are fuzzed through the same texts by the check's slide fitting)."""
    areas, orgs = folder / "areas.yaml", folder / "organizations.yaml"
    data = yaml.safe_load(ORIGINAL["areas.yaml"])
    data["areas"][1]["gaps"].append(gap)
    people = yaml.safe_load(ORIGINAL["organizations.yaml"])
    people["organizations"][2]["name"] = name
    try:
        areas.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        orgs.write_text(yaml.safe_dump(people, allow_unicode=True), "utf-8")
        if _check(folder, capsys) == 0:
            out = tmp_path_factory.mktemp("out")
            # Without LibreOffice's layout of the contents page (tested in test_docx.py): a
            # second or two an example.
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("ICAT_SOFFICE", "")
                code = main(["html", "docx", "-j", "1", "--content", str(folder), "--out", str(out)])
            assert code == 0, capsys.readouterr().err
    finally:
        areas.write_text(ORIGINAL["areas.yaml"], "utf-8")
        orgs.write_text(ORIGINAL["organizations.yaml"], "utf-8")
