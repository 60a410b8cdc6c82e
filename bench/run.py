#!/usr/bin/env python3
"""Benchmark of the build, as a user experiences it: `make bench` or `.venv/bin/python bench/run.py`.

What it measures (each figure is the median of --runs runs; every build is a fresh
`build.py` process, so start-up is included):

* ICAT content: the full build of each format (pdf, docx, html, handout) and of `all`
  (the six outputs in one call), with the peak memory (max RSS) of the build process tree.
* The no-op `make all` (everything up to date), run from the repository root into a temporary
  output directory.
* Six languages: the ICAT content with a catalog for each of the five other UN languages,
  every entry pseudo-translated into its script (tests/pseudo.py), built by one
  `build.py all --lang all` (36 files) beside `build.py all` (the source language alone), and
  the cost of each extra language.
* Content scaled synthetically to about 10, 100 and 500 report pages (the gaps and
  recommendations of the four areas multiplied with generated sentences): `build.py pdf`
  time, the real page count (pypdf), pages per second and peak memory; the time per page
  (start-up included) and the marginal cost of a page between scales. For reference, pandoc
  prints the same scaled content with the same engine (WeasyPrint), which shows the engine's
  own cost per page (--no-pandoc-scaled skips it).
* pandoc (the Debian package), side by side in the same run: the same report as Markdown,
  generated from the loaded document tree, to HTML (standalone, self-contained), DOCX and PDF
  (`--pdf-engine=weasyprint`, the venv's WeasyPrint), and the ratios ours / pandoc. The
  headline ratio (all six outputs against pandoc's three) is also taken from back-to-back
  pairs (--pairs), each a `build.py all` and pandoc's three runs under the same load.

Then it checks the targets: all six outputs faster than pandoc's three (ratio < 1.0, from the
medians and from the pairs); each extra language at most one language's build; the
~500-page PDF in under 30 s with under 1 GB peak memory; time per page roughly constant from
10 to 500 pages (the marginal cost of a page from ~100 to ~500 at most 1.5 times that from ~10
to ~100). Peak memory is the largest resident set of any one process of the build, not the
sum over parallel workers. Everything is written under a temporary directory, never into
build/ (`make all` is timed with OUT= a temporary directory).
Exit status 0 whatever the figures (it is a measurement, not a test); 1 if a build failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
sys.path.insert(0, str(ROOT))

from icat_reports.cli import load  # noqa: E402  (after the path is set)

FORMATS = ("pdf", "docx", "html", "handout")
PDF_NAME = "analytical-review.pdf"
# Pages a scaled report aims at. The content is calibrated by a probe build, then the real
# page count is measured and reported.
SCALES = (10, 100, 500)
QUICK_SCALES = (10, 100)
MB = 1024 * 1024


# -- running a command ------------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    max_rss: int  # bytes: the largest resident set of the process or any child it waited for
    output: str
    cpu: float    # user + system seconds of the process and the children it waited for


class BuildFailed(RuntimeError):
    pass


# Each command is started by this small launcher, which times it and reads its peak memory
# with wait4. Started directly from this process, a child would report at least this process's
# own resident size (Linux keeps the high-water mark across fork and exec); the launcher is
# small (about 7 MB), so that floor is below any figure that matters here.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    f.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} "
            f"{usage.ru_utime + usage.ru_stime}")
"""


def run(cmd: list[str], *, cwd: Path = ROOT, env: dict | None = None) -> Run:
    """Run cmd to completion: its wall time and the peak RSS of its process tree (the largest
    resident set of the process or of any child it waited for, not their sum)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as report:
        subprocess.run([sys.executable, "-S", "-c", LAUNCHER, report.name, *map(str, cmd)],
                       cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, check=False)
        out.seek(0)
        text = out.read().decode(errors="replace")
        fields = report.read().split()
    if len(fields) != 4 or fields[2] != "0":
        code = fields[2] if len(fields) == 4 else "?"
        raise BuildFailed(f"{' '.join(map(str, cmd))} exited {code}:\n{text[-3000:]}")
    return Run(float(fields[0]), int(fields[1]) * 1024, text, float(fields[3]))  # maxrss: KiB


@dataclass
class Measure:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def max_rss(self) -> int:
        return max(r.max_rss for r in self.runs)


def measure(cmd: list[str], runs: int, **kw) -> Measure:
    m = Measure()
    for _ in range(runs):
        m.runs.append(run(cmd, **kw))
    return m


def environment(tmp: Path) -> dict:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "1292198400")  # 2010-12-13: byte-stable outputs
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # pandoc finds the venv's weasyprint
    # As on a user's machine, Python caches compiled modules (the warm-up run fills the cache):
    # a PYTHONDONTWRITEBYTECODE=1 environment would otherwise recompile the project on every
    # run. The cache goes to the temporary directory, never into the repository.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def build(formats: list[str], content: Path, out: Path) -> list[str]:
    return [PY, "build.py", *formats, "--content", str(content), "--out", str(out)]


def pages(pdf: Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(str(pdf)).pages)


# -- the same report as Markdown, for pandoc ----------------------------------------------

def markdown(document) -> str:
    """The report as pandoc Markdown, walked from the document tree (tree.py) that every
    renderer walks, never hand-written: the outline of report.yaml with its data sources
    (the member table, the key areas of `- source: areas`, the contact address) expanded."""
    from icat_reports import tree
    c = document.content
    labels = c.labels
    meta = {"title": c.title, "subtitle": c.subtitle, "lang": c.language,
            "author": f"{c.publisher_name} ({c.publisher})", "date": c.date.isoformat(),
            "keywords": list(c.keywords), "description": c.description}
    meta = {k: v for k, v in meta.items() if v is not None}
    out = ["---", *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()), "---", ""]

    def escape(text: str) -> str:
        return "".join("\\" + ch if ch in "\\`*_[]<>&|#" else ch for ch in text)

    def inline(spans) -> str:
        text = []
        for span in spans:
            if span.note is not None:
                text.append(f"[^{span.note}]")
                continue
            piece = escape(span.text)
            if piece.strip() and (span.bold or span.italic):
                mark = ("**" if span.bold else "") + ("*" if span.italic else "")
                piece = f"{mark}{piece.strip()}{mark[::-1]}"
            if span.href:
                piece = f"[{piece}]({span.href})"
            text.append(piece)
        return " ".join("".join(text).split())

    def heading(level: int, text: str, ident: str) -> None:
        out.extend([f"{'#' * level} {text} {{#{ident}}}", ""])

    def items(lst, indent: str = "") -> None:
        numbered = isinstance(lst, tree.OrderedList)
        for n, item in enumerate(lst.items, getattr(lst, "start", 1)):
            mark = f"{n}." if numbered else "-"
            out.append(f"{indent}{mark} {inline(item.text)}")
            for child in item.children:
                if isinstance(child, (tree.BulletList, tree.OrderedList)):
                    items(child, indent + " " * (len(mark) + 1))
                else:
                    out.extend(["", *(f"{indent}    {line}" for line in render([child]))])
        if not indent:
            out.append("")

    def render(blocks) -> list[str]:
        """Blocks as lines (used inside quotes, boxes and notes)."""
        saved = len(out)
        emit(blocks, 0, "")
        lines = out[saved:]
        del out[saved:]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def emit(blocks, level: int, ident: str) -> None:
        for block in blocks:
            if isinstance(block, tree.Paragraph):
                text = inline(block.text)
                out.extend([f"*{text}*" if block.role == "cite" else text, ""])
            elif isinstance(block, (tree.BulletList, tree.OrderedList)):
                items(block)
            elif isinstance(block, tree.Table):
                cell = lambda spans: inline(spans).replace("|", "\\|")
                out.append("| " + " | ".join(cell(h) for h in block.header) + " |")
                out.append("|" + "|".join("---" for _ in block.header) + "|")
                out.extend("| " + " | ".join(cell(x) for x in row) + " |" for row in block.rows)
                out.append("")
                if block.caption:
                    out.extend([f": {inline(block.caption)}", ""])
            elif isinstance(block, tree.Box):
                out.extend(["::: box", f"**{inline(block.title)}**", "", *render(block.blocks), "", ":::", ""])
            elif isinstance(block, tree.Quote):
                out.extend([f"> {line}" if line else ">" for line in render(block.blocks)] + [""])
            elif isinstance(block, tree.Figure):
                caption = inline(block.caption) or escape(block.alt)
                out.extend([f"![{caption}]({block.file}){{alt={json.dumps(block.alt)}}}", ""])
            elif isinstance(block, tree.KeyArea):
                heading(level + 1, escape(labels.gaps), f"{ident}-gaps")
                out.extend([*(f"- {inline(g)}" for g in block.gaps), ""])
                heading(level + 1, escape(labels.recommendations), f"{ident}-recommendations")
                out.extend([*(f"- {inline(r)}" for r in block.recommendations), ""])
            elif isinstance(block, tree.Address):
                out.extend([inline(block.intro), ""])
                out.extend([f"| {inline(block.lines[0]).join(['**', '**'])}",
                            *(f"| {inline(line)}" for line in block.lines[1:]), ""])

    def section(s) -> None:
        heading(s.level, inline(s.title), s.id)
        emit(s.blocks, s.level, s.id)
        for child in s.sections:
            section(child)

    byline = f"{c.publisher_name} ({c.publisher})"
    if c.coordinator:
        byline += f" · {c.organization(c.coordinator).name} ({c.coordinator})"
    out.extend([escape(byline), ""])
    for s in document.sections:
        section(s)
    for number, note in sorted(document.footnotes.items()):
        lines = render(note.blocks)
        out.extend([f"[^{number}]: {lines[0] if lines else ''}",
                    *(f"    {line}" for line in lines[1:]), ""])

    # What our imprint page says, so that pandoc sets as much text as we do.
    heading(1, escape(labels.imprint), "imprint")
    imprint = c.imprint
    for text in (imprint.copyright, imprint.disclaimer, imprint.note, imprint.edition) if imprint else ():
        if text:
            out.extend([escape(text), ""])
    out.extend([escape(labels.generator), ""])
    out.extend([escape(labels.built), f":   {c.date.isoformat()}", "", escape(labels.version), ":   unversioned", ""])
    return "\n".join(out)


# Pandoc's default stylesheet plus what makes it a printed report like ours: A4 pages,
# each top-level section on a new page.
PRINT_CSS = "@page { size: A4; margin: 20mm 18mm; }\nh1 { break-before: page; }\n"


def pandoc_commands(md: Path, out: Path) -> dict[str, list[str]]:
    base = ["pandoc", str(md), "--from", "markdown", "--standalone", "--toc",
            "--metadata", "pagetitle=report"]
    css = ["--css", str(md.with_name("print.css"))]
    return {
        "html": [*base, *css, "--self-contained", "-o", str(out / "report.html")],
        "docx": [*base, "-o", str(out / "report.docx")],
        "pdf": [*base, *css, "--pdf-engine=weasyprint", "-o", str(out / "report.pdf")],
    }


# -- scaled content -------------------------------------------------------------------

_GAP_OPENERS = ["Lack of", "Insufficient", "Limited", "Weak", "Uneven", "Inadequate",
                "Fragmented", "No systematic"]
_ACTIONS = ["Strengthen", "Expand", "Improve", "Establish", "Review and update", "Fund",
            "Harmonize", "Monitor", "Support", "Develop", "Evaluate", "Coordinate"]
_SUBJECTS = [
    "national referral mechanisms for identified victims",
    "cross-border cooperation between labour inspectorates",
    "specialized training for prosecutors, judges and police officers",
    "shelters and long-term assistance for child victims",
    "data collection on forced labour in global supply chains",
    "legal aid and interpretation for victims during criminal proceedings",
    "screening of vulnerable migrants at borders and in reception centres",
    "financial investigations into the proceeds of trafficking",
    "compensation schemes for victims of trafficking",
    "awareness campaigns targeting recruitment agencies and employers",
    "safe and regular labour migration channels",
    "victim identification in the domestic work and fishing sectors",
    "joint investigation teams between countries of origin and destination",
    "reintegration programmes offering education and vocational training",
    "monitoring of online recruitment and advertising platforms",
    "protection of witnesses before, during and after trial",
]
_QUALIFIERS = [
    "in countries of origin, transit and destination",
    "with the participation of civil society organizations",
    "in line with the UN Trafficking in Persons Protocol",
    "so that victims are not penalized for offences committed while trafficked",
    "at regional and national levels",
    "taking into account the different needs of men, women and children",
    "with adequate and sustained funding",
    "",
]


def sentences(kind: str, count: int, seed: int) -> list[str]:
    """count synthetic but realistic gaps or recommendations, the same for the same seed."""
    rng = random.Random(seed)
    result = []
    for _ in range(count):
        subject, qualifier = rng.choice(_SUBJECTS), rng.choice(_QUALIFIERS)
        opener = rng.choice(_GAP_OPENERS if kind == "gaps" else _ACTIONS)
        text = f"{opener} {subject}" if kind == "gaps" or opener != "Fund" else f"Fund {subject}"
        result.append(f"{text} {qualifier}".strip())
    return result


def scaled_content(source: Path, dest: Path, extra_per_list: int) -> Path:
    """A copy of source with extra_per_list generated items added to every gaps and
    recommendations list (four areas, so eight lists); the area names stay."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    path = dest / "areas.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for i, area in enumerate(data["areas"]):
        for j, kind in enumerate(("gaps", "recommendations")):
            area[kind] = list(area[kind]) + sentences(kind, extra_per_list, seed=i * 2 + j)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")
    return dest


# -- the table ----------------------------------------------------------------------------

def translated_content(source: Path, dest: Path, languages: tuple[str, ...], env: dict) -> Path:
    """A copy of the content with a catalog per language, every entry pseudo-translated."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest)
    subprocess.run([PY, "build.py", "translations", *languages, "--content", str(dest)], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from pseudo import fill
    finally:
        sys.path.pop(0)
    for language in languages:
        fill(dest / "translations" / f"{language}.po", language)
    return dest


def fmt_s(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f} s"


def fmt_mb(n: int | None) -> str:
    return "" if n is None else f"{n / MB:.0f} MB"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                               for i, (v, w) in enumerate(zip(r, widths))).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def say(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


# -- the benchmark ----------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    p.add_argument("--pairs", type=int, default=7,
                   help="back-to-back pairs of `build.py all` and pandoc's three (default 7)")
    p.add_argument("--quick", action="store_true", help="1 run and 3 pairs, scaled to 10 and 100 pages only")
    p.add_argument("--content", type=Path, default=ROOT / "content", help="content directory")
    p.add_argument("--no-pandoc-scaled", action="store_true",
                   help="skip pandoc's PDF of the scaled content (the engine's own cost per page)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory and say where")
    args = p.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    pairs = 3 if args.quick else max(1, args.pairs)
    scales = QUICK_SCALES if args.quick else SCALES
    if not shutil.which("pandoc"):
        say("pandoc is not installed: run scripts/system-deps.sh pandoc (or `make bench`)")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="icat-bench-"))
    env = environment(tmp)
    try:
        return _bench(args.content.resolve(), tmp, runs, pairs, scales, env, not args.no_pandoc_scaled)
    except BuildFailed as error:
        say(f"a build failed, so the benchmark stops:\n{error}")
        return 1
    finally:
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(content: Path, tmp: Path, runs: int, pair_count: int, scales: tuple[int, ...], env: dict,
           pandoc_scaled: bool) -> int:
    rows: list[list[str]] = []
    verdicts: list[str] = []
    out = tmp / "out"
    load_start = os.getloadavg()[0]
    versions = _versions()
    say(f"benchmark: {runs} run(s) per figure, {os.cpu_count()} cores, outputs under {tmp}")

    # Warm the file cache, the font cache and the bytecode cache once, untimed.
    run(build(["all"], content, out), env=env)

    # ICAT content, each format and all.
    ours: dict[str, Measure] = {}
    for fmt in (*FORMATS, "all"):
        say(f"  build.py {fmt} ...")
        ours[fmt] = measure(build([fmt], content, out), runs, env=env)
    icat_pages = pages(out / PDF_NAME)

    # pandoc, from Markdown generated from the same loaded content.
    document, images = load(content)
    model = document.content
    md_dir = tmp / "pandoc"
    md = _write_markdown(document, images, md_dir)
    theirs: dict[str, Measure] = {}
    for fmt, cmd in pandoc_commands(md, md_dir).items():
        say(f"  pandoc -> {fmt} ...")
        theirs[fmt] = measure(cmd, runs, cwd=md_dir, env=env)
    pandoc_pages = pages(md_dir / "report.pdf")

    # The headline ratio once more, from pairs run back to back: `build.py all`, then pandoc's
    # three (or the other way round, every other pair). Both halves of a pair meet the same
    # load on a shared machine, which medians taken minutes apart do not promise.
    say(f"  {pair_count} pairs: build.py all beside pandoc's three ...")
    pairs: list[float] = []
    for i in range(pair_count):
        halves = [lambda: run(build(["all"], content, out), env=env).seconds,
                  lambda: sum(run(cmd, cwd=md_dir, env=env).seconds
                              for cmd in pandoc_commands(md, md_dir).values())]
        if i % 2:
            halves.reverse()
        first, second = (half() for half in halves)
        pairs.append(first / second if i % 2 == 0 else second / first)

    # The no-op make all: make it up to date in a temporary OUT, then time it.
    make_out = tmp / "make-out"
    say("  make all (once, to be up to date), then make -s all ...")
    make = ["make", "-s", "all", f"OUT={make_out}"]
    run(make, env=env)
    noop = measure(make, runs, env=env)
    noop_ok = all("is up to date" in r.output for r in noop.runs)

    for fmt in (*FORMATS, "all"):
        m = ours[fmt]
        ratio = ""
        if fmt in theirs:
            ratio = f"{m.seconds / theirs[fmt].seconds:.2f}"
        outputs = {"handout": "3 files", "all": "6 files", "pdf": f"{icat_pages} pages"}.get(fmt, "1 file")
        rows.append(_row(f"ICAT {fmt}", outputs, m, ratio=ratio))
    for fmt, m in theirs.items():
        what = f"{pandoc_pages} pages" if fmt == "pdf" else "1 file"
        rows.append(_row(f"pandoc {fmt}", what, m))
    pandoc_sum = sum(m.seconds for m in theirs.values())
    ratio_all = ours["all"].seconds / pandoc_sum
    rows.append(_row("pandoc html+docx+pdf", "3 files, sum", seconds=pandoc_sum,
                     cpu=sum(m.cpu for m in theirs.values())))
    rows.append(_row("ICAT all / pandoc 3", "6 files / 3 files", ratio=f"{ratio_all:.2f}"))
    ratio_pairs = statistics.median(pairs)
    rows.append(_row("  the same, paired", f"median of {len(pairs)} pairs", ratio=f"{ratio_pairs:.2f}"))
    rows.append(_row("no-op make all", "up to date" if noop_ok else "REBUILT", noop))
    verdicts.append(_verdict(ratio_all < 1.0 and ratio_pairs < 1.0,
                             f"six outputs vs pandoc's three: ratio {ratio_all:.2f} from the medians, "
                             f"{ratio_pairs:.2f} from {len(pairs)} back-to-back pairs (target < 1.0 for both)"))
    if not noop_ok:
        verdicts.append("note: a no-op `make all` rebuilt something (a file changed during the run?)")

    # Six languages in one process: the content with pseudo-translated catalogs (tests/pseudo.py:
    # the words in each language's script, as long as the English), `build.py all --lang all`.
    say("  build.py all --lang all: the source and five pseudo-translations ...")
    languages = ("ar", "es", "fr", "ru", "zh")
    six = translated_content(content, tmp / "content-six", languages, env)
    six_out = tmp / "out-six"
    run(build(["all", "--lang", "all"], six, six_out), env=env)  # warm
    one = measure(build(["all"], six, six_out), runs, env=env)
    every = measure(build(["all", "--lang", "all"], six, six_out), runs, env=env)
    extra = (every.seconds - one.seconds) / len(languages)
    rows.append(_row("ICAT all, 1 language", "6 files", one))
    rows.append(_row("ICAT all --lang all", f"{6 * (1 + len(languages))} files", every))
    rows.append(_row("  per extra language", "", seconds=extra, ratio=f"{extra / one.seconds:.2f}"))
    verdicts.append(_verdict(extra <= one.seconds,
                             f"each extra language costs {extra:.2f} s, one language's build {one.seconds:.2f} s "
                             f"(target: at most one language's build)"))
    shutil.rmtree(six, ignore_errors=True)
    shutil.rmtree(six_out, ignore_errors=True)

    # Scaled content: a probe build calibrates pages per item; each scale then refines the
    # estimate from the two largest builds so far (pages grow linearly with items).
    base_items = sum(len(a.gaps) + len(a.recommendations) for a in model.areas)
    probe_extra = 60
    say(f"  calibrating the scaled content (probe: {probe_extra} extra items per list) ...")
    probe_out = tmp / "out-probe"
    run(build(["pdf"], scaled_content(content, tmp / "content-probe", probe_extra), probe_out), env=env)
    known = [(base_items, icat_pages), (base_items + 8 * probe_extra, pages(probe_out / PDF_NAME))]
    scaled: dict[int, tuple[int, int, Measure]] = {}
    reference: dict[int, tuple[int, Measure]] = {}  # pandoc's PDF of the same scaled content
    for target in scales:
        (i1, p1), (i2, p2) = sorted(known)[-2:]
        slope = (p2 - p1) / (i2 - i1) if i2 != i1 and p2 != p1 else 1 / 20
        items = i2 + (target - p2) / slope
        extra = max(0, round((items - base_items) / 8))
        cdir = scaled_content(content, tmp / f"content-{target}", extra)
        sout = tmp / f"out-{target}"
        say(f"  build.py pdf, ~{target} pages ({base_items + 8 * extra} items) ...")
        m = measure(build(["pdf"], cdir, sout), runs, env=env)
        n = pages(sout / PDF_NAME)
        scaled[target] = (n, base_items + 8 * extra, m)
        known.append((base_items + 8 * extra, n))
        if pandoc_scaled:
            say(f"  pandoc -> pdf, the same ~{target} pages ...")
            sdir = tmp / f"pandoc-{target}"
            smd = _write_markdown(*load(cdir), sdir)
            pm = measure(pandoc_commands(smd, sdir)["pdf"], runs, cwd=sdir, env=env)
            reference[target] = (pages(sdir / "report.pdf"), pm)
            shutil.rmtree(sdir, ignore_errors=True)
        shutil.rmtree(cdir, ignore_errors=True)
        shutil.rmtree(sout, ignore_errors=True)
    for target, (n, items, m) in scaled.items():
        ratio = f"{m.seconds / reference[target][1].seconds:.2f}" if target in reference else ""
        rows.append(_row(f"pdf ~{target} pages", f"{n} pages, {items} items", m, pages=n, ratio=ratio))
    for target, (n, m) in reference.items():
        rows.append(_row(f"pandoc pdf ~{target} pages", f"{n} pages", m, pages=n))
    if 500 in scaled:
        n, _, m = scaled[500]
        verdicts.append(_verdict(m.seconds < 30, f"{n}-page PDF in {m.seconds:.1f} s (target < 30 s)"))
        verdicts.append(_verdict(m.max_rss < 1024 * MB,
                                 f"{n}-page PDF peak memory {m.max_rss / MB:.0f} MB (target < 1 GB)"))

    # Time per page: the plain ratio (start-up included, so small documents look dear), and the
    # marginal cost of a page between scales, which shows whether the cost per page grows.
    lo, hi = min(scales), max(scales)
    per_page = {t: m.seconds / n for t, (n, _, m) in scaled.items()}
    r = per_page[hi] / per_page[lo]
    rows.append(_row(f"s/page ~{hi} / ~{lo}", f"{per_page[hi]:.3f} / {per_page[lo]:.3f}", ratio=f"{r:.2f}"))
    marginal = [(a, b, (scaled[b][2].seconds - scaled[a][2].seconds) / max(1, scaled[b][0] - scaled[a][0]))
                for a, b in zip(scales, scales[1:])]
    for a, b, cost in marginal:
        rows.append(_row(f"marginal s/page ~{a}-~{b}", f"{cost:.3f}"))
    if len(marginal) >= 2:
        growth = marginal[-1][2] / marginal[0][2] if marginal[0][2] > 0 else float("inf")
        rows.append(_row(f"marginal ~{marginal[-1][0]}-~{hi} / ~{lo}-~{marginal[0][1]}", "",
                         ratio=f"{growth:.2f}"))
        verdicts.append(_verdict(growth <= 1.5, f"time per page roughly constant from ~{lo} to ~{hi} pages: "
                                 f"a page costs {marginal[0][2] * 1000:.0f} ms between ~{lo} and "
                                 f"~{marginal[0][1]}, {marginal[-1][2] * 1000:.0f} ms between "
                                 f"~{marginal[-1][0]} and ~{hi} (ratio {growth:.2f}, target <= 1.5); "
                                 f"with start-up, {per_page[lo]:.3f} vs {per_page[hi]:.3f} s/page"))
    else:
        verdicts.append(f"info   time per page ~{hi} vs ~{lo} pages: ratio {r:.2f} (start-up included)")

    load_end = os.getloadavg()[0]
    print()
    print(f"icat-reports benchmark, {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
          f"median of {runs} run(s), load average {load_start:.2f} at start, {load_end:.2f} at end")
    print(versions)
    if _versions() != versions:
        print("note: the code changed during the run; the figures may mix two versions")
    print()
    print(table(rows, COLUMNS))
    print()
    for v in verdicts:
        print(v)
    if load_start > 0.5:
        print(f"note: the machine was busy when the benchmark started (load {load_start:.2f}); "
              "timings may be high")
    return 0


def _write_markdown(document, images: dict[str, bytes], folder: Path) -> Path:
    """report.md, its stylesheet and the images its figures show, in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "report.md"
    md.write_text(markdown(document), encoding="utf-8")
    for name, data in images.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "print.css").write_text(PRINT_CSS, encoding="utf-8")
    return md


COLUMNS = ["row", "what", "time", "min-max", "cpu", "pages/s", "peak mem", "ours/pandoc"]


def _row(name: str, what: str, m: Measure | None = None, *, pages: int | None = None,
         ratio: str = "", seconds: float | None = None, cpu: float | None = None) -> list[str]:
    """One line of the table: the median time, the range over the runs, the median CPU time
    (user + system, all processes), pages per second, the peak memory and a ratio."""
    seconds = m.seconds if m else seconds
    cpu = m.cpu if m else cpu
    return [name, what, fmt_s(seconds), _range(m) if m else "", fmt_s(cpu),
            f"{pages / seconds:.1f}" if pages and seconds else "",
            fmt_mb(m.max_rss) if m else "", ratio]


def _range(m: Measure) -> str:
    if len(m.runs) < 2:
        return ""
    times = [r.seconds for r in m.runs]
    return f"{min(times):.2f}-{max(times):.2f}"


def _verdict(ok: bool, text: str) -> str:
    return f"{'MET   ' if ok else 'MISSED'} {text}"


def _versions() -> str:
    pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    import weasyprint
    git = lambda *a: subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True).stdout.strip()
    revision = git("rev-parse", "--short", "HEAD") or "no git"
    changed = [line.split(None, 1)[-1] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    tree = f"{revision} + uncommitted changes to {', '.join(changed)}" if changed else revision
    return (f"{pandoc}, WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}\n"
            f"code: {tree}")


if __name__ == "__main__":
    sys.exit(main())
