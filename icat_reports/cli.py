"""The command line: build.py [FORMAT ...] [--content DIR] [--out DIR].

Exit status: 0 built, 2 invalid content or usage, 1 any other failure.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import assets, deck, loader, model, rendering, tree
from .builders import BUILDERS
from .job import Job, build_time, content_version
from .problems import ContentError
from .theme import load_theme
from .writer import write_outputs

log = logging.getLogger("icat_reports")

PROJECT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
COMMANDS = ("all", "check", "schema")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as argparse does, but in plain words
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: {message}\n")


def parser() -> argparse.ArgumentParser:
    formats = "\n".join(f"  {b.name:8} {', '.join(b.outputs)}: {b.description}" for b in BUILDERS.values())
    p = _Parser(
        prog="build.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build an ICAT publication (report and slide handout) from content/*.yaml.",
        epilog=f"formats:\n{formats}\n  all      every format above (the default)\n"
               "  check    validate the content only, build nothing\n"
               "  schema   print the content schema (every field, its type, its file)\n\n"
               "exit status: 0 built, 2 invalid content or usage, 1 any other failure",
    )
    p.add_argument("targets", nargs="*", metavar="FORMAT", default=["all"],
                   help="pdf, docx, html, handout, all, check or schema (default: all)")
    p.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                   help="content directory (default: content/)")
    p.add_argument("--out", type=Path, default=Path("build"), metavar="DIR",
                   help="output directory (default: build/)")
    p.add_argument("--templates", type=Path, default=PROJECT / "templates", metavar="DIR",
                   help=argparse.SUPPRESS)
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="render formats in up to N processes (default: one per core)")
    p.add_argument("-v", "--verbose", action="store_true", help="say more about each step")
    return p


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s" if not verbose else "%(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
    # WeasyPrint and fontTools are chatty about CSS they ignore; keep their errors only.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.ERROR)


def load_content(content_dir: Path) -> model.Content:
    return load(content_dir)[0].content


def load_document(content_dir: Path) -> tree.Document:
    return load(content_dir)[0]


def load(content_dir: Path) -> tuple[tree.Document, dict[str, bytes]]:
    """The document tree and the images it names, or ContentError with every problem."""
    raw = loader.load(content_dir)
    problems: list = []
    try:
        content = model.build(raw)
    except ContentError as error:
        # Every stage's problems at once: the later checks run on what did validate.
        if error.partial is None:
            raise
        problems, content = list(error.problems), error.partial
    partial = bool(problems)
    try:
        document = tree.build(content, raw, problems)
        problems += deck.check(document, raw)
        images = assets.read_images(document, content_dir, raw)
    except ContentError as error:
        problems += error.problems
    except Exception:
        # What validated of a wrong content may not hold together (an acronym that names a
        # dropped organization): the problems found so far are what the editor needs.
        if not partial:
            raise
        log.debug("later checks skipped on the partial content", exc_info=True)
    if problems:
        raise ContentError(problems)
    return document, images


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _setup_logging(args.verbose)
    targets = list(dict.fromkeys(args.targets))
    unknown = [t for t in targets if t not in BUILDERS and t not in COMMANDS]
    if unknown:
        parser().error(f"unknown format {', '.join(map(repr, unknown))}; "
                       f"choose from {', '.join([*BUILDERS, *COMMANDS])}")
    if targets == ["schema"]:
        from .schema_doc import schema_text
        sys.stdout.write(schema_text())
        return EXIT_OK
    try:
        document, images = load(args.content)
    except ContentError as error:
        return _report(error)
    content = document.content
    theme = load_theme(args.templates)
    if targets == ["check"]:
        problems = deck.fit_problems(document, theme.fonts["body"])
        if problems:
            return _report(ContentError(problems))
        print(f"{args.content}: content is valid")
        return EXIT_OK
    names = list(BUILDERS) if "all" in targets else [t for t in targets if t in BUILDERS]
    job = Job(content=content, document=document, theme=theme, templates=args.templates.resolve(),
              built=build_time(), version=content_version(args.content), images=images,
              workers=max(1, args.jobs or os.cpu_count() or 1))
    failed = invalid = False
    for result in rendering.render(job, names, args.jobs):
        if result.problems is not None:  # found only while laying out (a slide that cannot fit)
            for problem in result.problems:
                print(problem, file=sys.stderr)
            print(f"could not build {result.name}; its previous output is unchanged", file=sys.stderr)
            invalid = True
            if result.error:  # another of its steps failed as well
                log.error("%s", result.error)
                failed = True
            continue
        try:
            written = [] if result.error else write_outputs(args.out, result.files)
        except OSError as error:
            result.error = f"cannot write to {args.out}: {error}"
        if result.error:  # one format failing must not stop the others, nor hide the cause
            log.error("could not build %s; its previous output is unchanged\n%s", result.name, result.error)
            failed = True
            continue
        for w in written:
            print(f"wrote {w.path}  ({_size(w.size)}, {result.seconds:.1f} s)", flush=True)
    return EXIT_FAILED if failed else EXIT_INVALID if invalid else EXIT_OK


def _report(error: ContentError) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''} in the content; nothing was built.", file=sys.stderr)
    return EXIT_INVALID


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"
