"""The build's processes: which steps share one, what the parent imports, and failures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from icat_reports import rendering
from icat_reports.builders import BUILDERS, Builder, Step
from icat_reports.cli import main

ROOT = Path(__file__).resolve().parent.parent


def build(content, out, *formats, jobs=2):
    return main([*formats, "-j", str(jobs), "--content", str(content), "--out", str(out)])


def test_steps_are_grouped_by_shared_work_and_heaviest_first():
    plan = rendering.units(["html", "docx", "handout", "pdf"])
    renderers = [[step.renderer for _, step in unit] for unit in plan]
    assert renderers[0] == [".render.html:render", ".render.pdf:render"]  # one render of the page
    assert [".render.handout:render_printed"] in renderers and [".render.powerpoint:render"] in renderers
    costs = [sum(step.cost for _, step in unit) for unit in plan]
    assert costs == sorted(costs, reverse=True)
    assert {name for unit in plan for name, _ in unit} == {"html", "docx", "handout", "pdf"}


def test_the_other_steps_share_the_cores_the_parent_leaves_while_it_imports():
    plan = rendering.units(["docx", "handout"])
    plain = [u for u in plan if not rendering._prints(u)]
    assert len(rendering._bins(plain, 1)) == 1
    assert sorted(len(b) for b in rendering._bins(plain, 2)) == [1, 1]


def test_a_build_without_pdf_never_imports_weasyprint(tmp_path):
    """Word and HTML stay quick: the parent imports no renderer, and nothing imports WeasyPrint."""
    script = ("import sys; from icat_reports.cli import main; "
              "code = main(['docx', 'html', '-j', '2', '--out', sys.argv[1]]); "
              "print(code, sorted(m for m in ('weasyprint', 'docx', 'pptx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out")],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[-2] == "0 []"


def test_loading_the_content_imports_no_renderer():
    """Before the first fork the build is on one core: it imports only what loading needs.
    (markdown-it is needed: the outline's Markdown is read into the tree, and checked, before
    anything is built.)"""
    script = ("import sys; from pathlib import Path; from icat_reports import cli; "
              "cli.load(Path('content')); "
              "print(sorted(m for m in ('jinja2', 'weasyprint', 'docx', 'pptx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == "[]"


def test_printing_steps_start_after_the_others(content_copy, tmp_path, monkeypatch):
    """While the parent imports WeasyPrint, the Word file is already being rendered."""
    seen = []
    prepare = rendering.prepare_printing

    def watched(job, steps):
        import multiprocessing
        seen.append(len(multiprocessing.active_children()))
        prepare(job, steps)

    monkeypatch.setattr(rendering, "prepare_printing", watched)
    assert build(content_copy, tmp_path / "out", "docx", "pdf") == 0
    assert seen == [1]
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"analytical-review.docx", "analytical-review.pdf"}


def wait_for(started: Path, timed_out: Path, seconds: float = 20) -> None:
    """In a worker: wait until another worker has made the file started (or, after seconds,
    make timed_out, which the test then finds)."""
    deadline = time.monotonic() + seconds
    while not started.exists():
        if time.monotonic() > deadline:
            timed_out.touch()
            return
        time.sleep(0.01)


def test_printing_steps_do_not_wait_for_the_others_to_end(content_copy, tmp_path, monkeypatch):
    """Once the parent is ready, every printing step starts, though Word and PowerPoint still run:
    here each of the other processes ends only after the handout's has started."""
    started, timed_out = tmp_path / "handout-started", tmp_path / "timed-out"
    render_unit = rendering.render_unit

    def watched(job, unit):
        if any(name == "handout" and step.prints for name, step in unit):
            started.touch()
        else:
            wait_for(started, timed_out)
        return render_unit(job, unit)

    monkeypatch.setattr(rendering, "render_unit", watched)
    assert build(content_copy, tmp_path / "out", "docx", "pdf", "handout") == 0
    assert started.exists() and not timed_out.exists()
    assert len(list((tmp_path / "out").iterdir())) == 5


def test_a_second_editions_steps_start_before_the_first_edition_has_ended(tmp_path, monkeypatch):
    """Editions share the cores: the French Word file is rendered while the English PDF, the
    longest step of the first edition, still runs (it waits here until the French one began)."""
    content = tmp_path / "brief"
    import shutil
    shutil.copytree(ROOT / "tests" / "fixtures" / "brief", content)
    assert main(["translations", "fr", "--content", str(content)]) == 0
    started, timed_out = tmp_path / "french-started", tmp_path / "timed-out"
    render_unit = rendering.render_unit

    def watched(job, unit):
        if job.content.language == "fr":
            started.touch()
        elif any(name == "pdf" for name, _ in unit):
            wait_for(started, timed_out)
        return render_unit(job, unit)

    monkeypatch.setattr(rendering, "render_unit", watched)
    monkeypatch.setenv("ICAT_SOFFICE", "")
    assert main(["docx", "pdf", "--lang", "all", "--draft", "-j", "2", "--content", str(content),
                 "--out", str(tmp_path / "out")]) == 0
    assert started.exists() and not timed_out.exists()
    assert (tmp_path / "out" / "fr" / "icat-issue-brief.docx").is_file()
    assert (tmp_path / "out" / "icat-issue-brief.pdf").is_file()


def explode(job):
    raise MemoryError("the machine ran out of memory halfway through")


def vanish(job):
    os._exit(3)  # a worker killed without a word (the out-of-memory killer, say)


def test_a_failing_step_leaves_all_its_formats_files_as_they_were(content_copy, tmp_path, monkeypatch, capsys):
    """The handout's PowerPoint step fails: its slides and notes PDFs are not replaced either."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1292198400")  # the rebuilt HTML is the same
    out = tmp_path / "out"
    assert build(content_copy, out, "handout", "html") == 0
    handout = ("handout-slides.pdf", "handout-notes.pdf", "handout.pptx")
    stamps = {name: (out / name).stat().st_ino for name in handout}  # a rewrite is a new file
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "analytical-review.html").unlink()
    printed = BUILDERS["handout"].steps[0]
    monkeypatch.setitem(BUILDERS, "handout", Builder("handout", "", (
        printed, Step(("handout.pptx",), "test_rendering:explode"))))
    assert build(content_copy, out, "handout", "html") == 1
    err = capsys.readouterr().err
    assert "ran out of memory" in err
    assert "Traceback" not in err and "run with -v for details" in err  # one line, not a traceback
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the HTML was rebuilt
    assert {name: (out / name).stat().st_ino for name in handout} == stamps


def test_a_worker_that_dies_is_reported(content_copy, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    monkeypatch.setitem(BUILDERS, "docx", Builder("docx", "", (
        Step(("analytical-review.docx",), "test_rendering:vanish"),)))
    assert build(content_copy, out, "docx", "html") == 1
    assert "ended without a result" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["analytical-review.html"]


def test_a_missing_font_fails_the_pdf_alone(content_copy, tmp_path, capsys):
    """The parent's check of the font fails quietly; the PDF step meets it and says so."""
    import shutil
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    theme = templates / "theme.yaml"
    theme.write_text(theme.read_text().replace("  body: Noto Sans\n", "  body: No Such Sans\n"))
    out = tmp_path / "out"
    assert main(["docx", "pdf", "-j", "2", "--templates", str(templates),
                 "--content", str(content_copy), "--out", str(out)]) == 1
    assert "font 'No Such Sans' is not installed" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["analytical-review.docx"]


def unfit(job):
    from icat_reports.problems import ContentError, Location, Problem
    raise ContentError([Problem(Location("handout.yaml", 7), "handout.slides[0]", "does not fit")])


def test_a_content_problem_and_a_failure_in_one_format_are_both_told(content_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(BUILDERS, "handout", Builder("handout", "", (
        Step(("handout-slides.pdf", "handout-notes.pdf"), "test_rendering:unfit"),
        Step(("handout.pptx",), "test_rendering:explode"))))
    assert build(content_copy, tmp_path / "out", "handout") == 1
    err = capsys.readouterr().err
    assert "handout.yaml:7: handout.slides[0]: does not fit" in err and "ran out of memory" in err
    assert not (tmp_path / "out").exists()


def note_parent(job):
    job.once("prepared in", os.getpid)


def report_where_prepared(job):
    return {"analytical-review.pdf": f"{job.cache.get('prepared in')} {os.getpid()}".encode()}


def test_a_printing_steps_preparation_runs_once_in_the_parent(content_copy, tmp_path, monkeypatch):
    """What `prepare` leaves in job.cache, the step's own process finds there."""
    monkeypatch.setitem(BUILDERS, "pdf", Builder("pdf", "", (
        Step(("analytical-review.pdf",), "test_rendering:report_where_prepared", prints=True,
             prepare="test_rendering:note_parent"),)))
    assert build(content_copy, tmp_path / "out", "pdf", "docx") == 0
    prepared, rendered = (tmp_path / "out" / "analytical-review.pdf").read_text().split()
    assert prepared == str(os.getpid()) and rendered != prepared


def test_a_failing_preparation_is_left_for_the_step_to_meet(content_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(BUILDERS, "handout", Builder("handout", "", (
        Step(("handout-slides.pdf", "handout-notes.pdf"), "test_rendering:unfit", prints=True,
             prepare="test_rendering:unfit"),
        Step(("handout.pptx",), "test_rendering:unfit"))))
    assert build(content_copy, tmp_path / "out", "handout") == 2
    assert capsys.readouterr().err.count("handout.yaml:7: handout.slides[0]: does not fit") == 1
