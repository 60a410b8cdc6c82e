"""Faults from outside: a full disk, Ctrl-C, SIGTERM, kill -9. All real: a real tmpfs filled to
the brim, real signals sent to a real build.py, real worker processes looked up in /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from icat_reports import cli
from icat_reports.builders import BUILDERS, Builder, Step
from icat_reports.cli import main
from icat_reports.problems import ContentError, Location, Problem

ROOT = Path(__file__).resolve().parent.parent
HANDOUT = ("handout-slides.pdf", "handout-notes.pdf", "handout.pptx")
EPOCH = "1292198400"
CONTENT = ("--content", str(ROOT / "content"))


# -- helpers: processes as /proc shows them ---------------------------------------------------

def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def running(pid: int) -> bool:
    """Exists and is not a zombie (an orphan's status may never be read here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until(condition, timeout: float, step: float = 0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if value := condition():
            return value
        time.sleep(step)
    return condition()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def start_build(*args: str, env=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group: a Ctrl-C reaches it alone


def start_script(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def kill_leftovers(pids) -> None:
    for pid in pids:  # only processes this test started, by their id
        if running(pid):
            os.kill(pid, signal.SIGKILL)


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.exists() else []


# -- a full disk ------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A real file system of its own, 1 MiB, that the test can fill."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                         check=False, capture_output=True, text=True)
    if run.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def free_bytes(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def test_a_full_disk_replaces_none_of_a_formats_files(small_disk, tmp_path, monkeypatch, capsys):
    """Room for the first of the handout's new files, not for all: none is replaced, no
    temporary file is left, and the message names the folder and the cause."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reference = tmp_path / "reference"
    assert main(["handout", "--out", str(reference), *CONTENT]) == 0
    sizes = {name: (reference / name).stat().st_size for name in HANDOUT}
    out = small_disk / "out"
    out.mkdir()
    for name in HANDOUT:
        (out / name).write_bytes(f"the previous {name}\n".encode())
    before = snapshot(out)
    room = max(sizes.values()) + 16 * 1024  # any one file fits (pages rounded up), not all three
    assert room < sum(sizes.values()) - 16 * 1024
    (small_disk / "filler").write_bytes(b"\0" * (free_bytes(small_disk) - room))
    assert abs(free_bytes(small_disk) - room) <= 4096
    capsys.readouterr()

    assert main(["handout", "--out", str(out), *CONTENT]) == 1

    err = capsys.readouterr().err
    assert snapshot(out) == before  # the same bytes, the same files: not one replaced
    assert temporary_files(out) == []
    assert "no space" in err.lower() and str(out) in err, err
    assert "nothing was replaced" in err and "previous output is unchanged" in err, err
    assert "Traceback" not in err
    # Once there is room again, the same build writes all three.
    (small_disk / "filler").unlink()
    assert main(["handout", "--out", str(out), *CONTENT]) == 0
    assert {n: (out / n).read_bytes() for n in HANDOUT} == {n: (reference / n).read_bytes() for n in HANDOUT}


def refuse(job):
    raise ContentError([Problem(Location("handout.yaml", 3), "handout.slides[0]", "cannot fit on a slide")])


def test_a_format_refused_for_its_content_stops_every_format_being_written(tmp_path, monkeypatch, capsys):
    """Exit 2 and nothing written, not even the formats that rendered well."""
    out = tmp_path / "out"
    assert main(["html", "docx", "--out", str(out), *CONTENT]) == 0
    before = snapshot(out)
    monkeypatch.setitem(BUILDERS, "handout", Builder("handout", "", (Step(HANDOUT, "test_faults:refuse"),)))
    capsys.readouterr()
    for jobs in ("1", "2"):
        assert main(["html", "docx", "handout", "-j", jobs, "--out", str(out), *CONTENT]) == 2
        err = capsys.readouterr().err
        assert "handout.yaml:3: handout.slides[0]: cannot fit on a slide" in err
        assert "nothing was written" in err, err
        assert snapshot(out) == before


def test_an_unexpected_failure_is_one_line_and_v_shows_the_traceback(tmp_path, monkeypatch, capsys):
    def broken(templates):
        raise RuntimeError("the theme fell over\nand a second line")

    monkeypatch.setattr(cli, "load_theme", broken)
    assert main(["html", "--out", str(tmp_path), *CONTENT]) == 1
    err = capsys.readouterr().err
    assert err == "build.py: internal error, RuntimeError: the theme fell over; run with -v for details\n"
    assert main(["html", "-v", "--out", str(tmp_path), *CONTENT]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "the theme fell over" in err and "run with -v" not in err


# -- signals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("signum, status, group", [
    (signal.SIGINT, 130, True),    # Ctrl-C: the terminal signals the build and its workers
    (signal.SIGINT, 130, False),   # the build's process alone
    (signal.SIGTERM, 143, False),
])
def test_an_interrupted_build_says_so_in_one_line_and_leaves_nothing(tmp_path, signum, status, group):
    out = tmp_path / "out"
    assert main(["html", "docx", "--out", str(out), *CONTENT]) == 0
    before = snapshot(out)
    build = start_build("all", "-j", "2", "--out", str(out))
    workers = set()
    try:
        workers = wait_until(lambda: children(build.pid), timeout=20)
        assert workers, "no worker started"
        (os.killpg if group else os.kill)(build.pid, signum)
        _, err = build.communicate(timeout=20)
        assert build.returncode == status, err
        assert err == "interrupted\n"  # one line, no traceback of the build nor of a worker
        assert wait_until(lambda: not any(running(p) for p in workers), timeout=5)
        assert temporary_files(out) == []
        assert snapshot(out) == before  # interrupted while rendering: nothing written at all
    finally:
        kill_leftovers([build.pid, *workers])


SLOW = """
    import os, sys, time
    sys.path.insert(0, {tests!r})
    from icat_reports.builders import BUILDERS, Builder, Step
    BUILDERS["docx"] = Builder("docx", "", (Step(("analytical-review.docx",), "test_faults:{renderer}"),))
    from icat_reports.cli import main
    os._exit(main(["docx", "html", "-j", "2", "--out", sys.argv[1]]))
"""


def stall(job):
    """A renderer that never ends (in a worker): it says it started, then sleeps."""
    Path(os.environ["STARTED"]).write_text(str(os.getpid()))
    time.sleep(120)


def test_workers_die_with_a_build_killed_outright(tmp_path, monkeypatch):
    """kill -9 leaves the parent no chance to clean up: the kernel kills its workers."""
    started = tmp_path / "started"
    monkeypatch.setenv("STARTED", str(started))
    build = start_script(SLOW.format(tests=str(ROOT / "tests"), renderer="stall"), str(tmp_path / "out"))
    worker = None
    try:
        assert wait_until(started.exists, timeout=20), build.stderr.read() if build.poll() is not None else ""
        worker = int(wait_until(started.read_text, timeout=5))
        assert running(worker)
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=10)
        assert wait_until(lambda: not running(worker), timeout=3), "a worker outlived its build"
    finally:
        kill_leftovers([build.pid] + ([worker] if worker else []))


STALL_WRITING = """
    import os, sys, time
    fsync = os.fsync
    def slow_fsync(fd):  # the first output synced, then a long pause before the next
        fsync(fd)
        if os.readlink(f"/proc/self/fd/{fd}").startswith(sys.argv[1] + "/"):
            open(sys.argv[2], "w").close()
            time.sleep(120)
    os.fsync = slow_fsync
    from icat_reports.cli import main
    os._exit(main(["html", "--out", sys.argv[1]]))
"""


def test_temporary_files_of_a_killed_build_are_removed_by_the_next(tmp_path):
    """kill -9 while the files are being written: the next build removes what is left, and
    leaves alone the temporary files of a build still running."""
    out = tmp_path / "out"
    stalled = tmp_path / "stalled"
    build = start_script(STALL_WRITING, str(out), str(stalled))
    try:
        assert wait_until(stalled.exists, timeout=20)
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=10)
    finally:
        kill_leftovers([build.pid])
    left = temporary_files(out)
    assert len(left) == 1 and f".{build.pid}." in left[0], left
    # Temporary files of other builds: one of a process still running (this one), one of the
    # older naming (no pid) just written, one of it from long ago.
    live = out / f".analytical-review.docx.{os.getpid()}.abcd_123.tmp"
    fresh, old = out / ".analytical-review.docx.k2j4h5g6.tmp", out / ".analytical-review.pdf.k2j4h5g7.tmp"
    for path in (live, fresh, old):
        path.write_bytes(b"partial")
    os.utime(old, (time.time() - 600, time.time() - 600))
    unrelated = out / ".editor-backup.tmp"
    unrelated.write_bytes(b"not ours")

    assert main(["html", "--out", str(out), *CONTENT]) == 0
    assert temporary_files(out) == sorted(p.name for p in (live, fresh, unrelated))


def test_an_interrupt_while_writing_leaves_the_format_as_it_was(tmp_path):
    out = tmp_path / "out"
    assert main(["html", "--out", str(out), *CONTENT]) == 0
    before = snapshot(out)
    stalled = tmp_path / "stalled"
    build = start_script(STALL_WRITING, str(out), str(stalled))
    try:
        assert wait_until(stalled.exists, timeout=20)
        assert temporary_files(out)  # caught in the middle of writing
        os.kill(build.pid, signal.SIGINT)
        _, err = build.communicate(timeout=20)
    finally:
        kill_leftovers([build.pid])
    assert (build.returncode, err) == (130, "interrupted\n")
    assert temporary_files(out) == []
    assert snapshot(out) == before
