"""The command line: build.py [FORMAT ...] [--content DIR] [--out DIR].

Exit status: 0 built, 2 invalid content or usage, 1 any other failure, 130 interrupted by
Ctrl-C (SIGINT), 143 by SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import closing
from pathlib import Path

from . import assets, deck, interrupt, loader, model, rendering, tree
from .builders import BUILDERS
from .job import BadEpoch, Job, build_time, content_version
from .problems import ContentError
from .theme import load_theme
from .writer import WriteError, remove_stale, write_outputs

log = logging.getLogger("icat_reports")

PROJECT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
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
               "exit status: 0 built, 2 invalid content or usage, 1 any other failure,\n"
               "130 interrupted (Ctrl-C), 143 terminated (SIGTERM)",
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
    # fontTools is chatty; keep its errors only. WeasyPrint's errors and its warnings but those
    # about CSS it ignores reach stderr, and an image it cannot load fails the PDF (weasy_log).
    logging.getLogger("fontTools").setLevel(logging.INFO if verbose else logging.ERROR)
    from .engines import weasy_log
    weasy_log.install(sys.stderr, verbose)


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
    with interrupt.handled():  # inside: a second Ctrl-C cannot cut the clean-up short
        try:
            return _main(args)
        except KeyboardInterrupt as error:  # the workers are killed, no temporary file is left
            print("interrupted", file=sys.stderr, flush=True)
            return getattr(error, "status", EXIT_INTERRUPTED)
        except Exception as error:  # a bug, or a fault no one foresaw: one line, not a traceback
            log.debug("the build failed:", exc_info=True)
            lines = str(error).strip().splitlines()
            log.error("build.py: internal error, %s%s%s", type(error).__name__,
                      f": {lines[0]}" if lines else "", "" if args.verbose else "; run with -v for details")
            return EXIT_FAILED


def _main(args: argparse.Namespace) -> int:
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
    try:
        built = build_time(args.content)
    except BadEpoch as error:
        print(f"build.py: {error}", file=sys.stderr)
        return EXIT_INVALID
    job = Job(content=content, document=document, theme=theme, templates=args.templates.resolve(),
              built=built, version=content_version(args.content), images=images,
              workers=max(1, args.jobs or os.cpu_count() or 1))
    if "handout" in names:
        # What cannot fit on a slide is found before anything is rendered, so that a refused
        # build writes nothing; the workers inherit the laid-out deck.
        try:
            deck.slides_of(job)
        except ContentError as error:
            return _report(error)
    for stale in remove_stale(args.out):  # left by a build that was killed outright
        log.debug("removed %s", stale)
    # Every format is rendered before any is written: content that cannot be laid out (a
    # slide that cannot fit) refuses the whole build, and then nothing at all is written.
    with closing(rendering.render(job, names, args.jobs)) as rendering_all:
        results = list(rendering_all)
    refused = [r for r in results if r.problems is not None]
    failed = False
    for result in refused:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        if result.error:  # another of its steps failed as well
            log.error("%s", _short(result.error, args.verbose))
            failed = True
    if refused:
        print(f"could not build {', '.join(r.name for r in refused)}; nothing was written, "
              "every previous output is unchanged", file=sys.stderr)
        return EXIT_FAILED if failed else EXIT_INVALID
    for result in results:
        written, outcome = [], "its previous output is unchanged"
        try:
            written = [] if result.error else write_outputs(args.out, result.files)
        except WriteError as error:  # a full disk: none of its files replaced (or told which)
            result.error, outcome = str(error), error.outcome
        if result.error:  # one format failing must not stop the others, nor hide the cause
            log.error("could not build %s; %s\n%s", result.name, outcome, _short(result.error, args.verbose))
            failed = True
            continue
        for w in written:
            print(f"wrote {w.path}  ({_size(w.size)}, {result.seconds:.1f} s)", flush=True)
    return EXIT_FAILED if failed else EXIT_OK


def _short(error: str, verbose: bool) -> str:
    """A worker's failure as users see it: its last line (a traceback only with -v)."""
    if verbose or "Traceback (most recent call last)" not in error:
        return error
    log.debug("%s", error)
    last = next((line.strip() for line in reversed(error.splitlines()) if line.strip()), error)
    return f"{last}; run with -v for details"


def _report(error: ContentError) -> int:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(f"{count} problem{'s' if count != 1 else ''} in the content; nothing was built.", file=sys.stderr)
    return EXIT_INVALID


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"
