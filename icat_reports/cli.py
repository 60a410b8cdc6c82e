"""The command line: build.py [FORMAT ...] [--content DIR] [--out DIR].

Exit status: 0 built, 2 invalid content or usage, 1 any other failure, 130 interrupted by
Ctrl-C (SIGINT), 143 by SIGTERM.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import sys
from contextlib import closing
from pathlib import Path

from . import assets, deck, interrupt, loader, model, rendering, tree
from .builders import BUILDERS
from .job import BadEpoch, Job, build_time, content_version
from . import problems as problems_mod
from .problems import ContentError
from .theme import load_theme
from .writer import WriteError, remove_stale, write_outputs

log = logging.getLogger("icat_reports")

PROJECT = Path(__file__).resolve().parent.parent
COMMAND = "build.py"  # how the command calls itself; `icat-reports` when installed


def templates_dir() -> Path:
    """The templates: the repository's templates/ (an editable install), or the package's
    own copy (an installed wheel)."""
    here = PROJECT / "templates"
    if (here / "theme.yaml").is_file():
        return here
    return Path(__file__).resolve().parent / "templates"


class _Version(argparse.Action):
    """--version, read from the installed metadata only when asked (importlib.metadata takes
    0.02 s to import)."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"icat-reports {version()}")
        parser.exit()


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as installed
    try:
        return installed("icat-reports")
    except PackageNotFoundError:
        return "unknown"
EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
COMMANDS = ("all", "check", "schema", "init", "translations", "verify", "pack", "changes", "preview")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as argparse does, but in plain words
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: {message}\n")


def parser() -> argparse.ArgumentParser:
    formats = "\n".join(f"  {b.name:8} {', '.join(b.outputs)}: {b.description}" for b in BUILDERS.values())
    p = _Parser(
        prog=COMMAND,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build an ICAT publication (report and slide handout) from content/*.yaml.",
        epilog=f"formats:\n{formats}\n  all      every format above (the default)\n"
               "  check    validate the content only, build nothing\n"
               "  schema   print the content schema (every field, its type, its file)\n"
               "  init DIR write a small starter publication into DIR, ready to build\n"
               "  preview  serve a live preview on http://127.0.0.1:8000/ (--port), rebuilt on\n"
               "           every change to the content or the templates; Ctrl-C stops it\n"
               "  verify   read the built outputs back: does each say every text of the content?\n"
               "  pack     zip every output, the content and a manifest into OUT/pack/MEETING-DATE.zip\n"
               "  changes  with --since REF: what changed, as OUT/changes/NAME-changes.docx (tracked\n"
               "           changes), .html and .pdf\n"
               "  translations LANG ...  create or update content/translations/LANG.po;\n"
               "           with --status, how complete each catalog is\n\n"
               "exit status: 0 built, 2 invalid content or usage, 1 any other failure,\n"
               "130 interrupted (Ctrl-C), 143 terminated (SIGTERM)",
    )
    p.add_argument("targets", nargs="*", metavar="FORMAT", default=["all"],
                   help="pdf, docx, html, handout, all, check or schema (default: all)")
    p.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                   help="content directory (default: content/)")
    p.add_argument("--out", type=Path, default=Path("build"), metavar="DIR",
                   help="output directory (default: build/)")
    p.add_argument("--templates", type=Path, default=None, metavar="DIR",
                   help=argparse.SUPPRESS)
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="render formats in up to N processes (default: one per core)")
    p.add_argument("-v", "--verbose", action="store_true", help="say more about each step")
    p.add_argument("--port", type=int, default=8000, metavar="N",
                   help="with preview: the port on 127.0.0.1, or the next free one (default: 8000)")
    p.add_argument("--lang", action="append", metavar="LANG",
                   help="build in these languages (each has content/translations/LANG.po) into OUT/LANG/; "
                        "'all': the source language and every catalog")
    p.add_argument("--strict", action="store_true",
                   help="refuse a translation with an outdated or missing entry (the final edition)")
    p.add_argument("--status", action="store_true", help="with translations: how complete each catalog is")
    p.add_argument("--draft", action="store_true",
                   help="mark every page and slide DRAFT with the build date; without it (the final "
                        "edition) a translation must be complete")
    p.add_argument("--fallback", action="store_true",
                   help="build a translation with outdated or missing entries, shown in the source "
                        "language, without marking it DRAFT (what the live preview shows)")
    p.add_argument("--since", metavar="REF",
                   help="with changes: the previous edition, a meeting pack (.zip) or a git revision")
    p.add_argument("--force", action="store_true", help="with pack: replace a pack of the same meeting")
    p.add_argument("--verify", type=Path, metavar="FILE.zip", dest="verify_pack",
                   help="with pack: check every file of a pack against its manifest")
    p.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
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


def load(content_dir: Path, language: str | None = None,
         strict: bool = False) -> tuple[tree.Document, dict[str, bytes]]:
    """The document tree and the images it names, or ContentError with every problem; in
    `language` when given (its catalog applied, its fixed words), else in the source's."""
    raw = loader.load(content_dir)
    raw, counts, problems = _translated(raw, content_dir, language, strict)
    partial = False
    try:
        content = model.build(raw)
    except ContentError as error:
        # Every stage's problems at once: the later checks run on what did validate.
        if error.partial is None:
            raise ContentError(_in_language([*problems, *error.problems], language)) from None
        problems, content, partial = [*problems, *error.problems], error.partial, True
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
        raise ContentError(_in_language(problems, language))
    if counts is not None:
        import dataclasses
        document = dataclasses.replace(document, translation=counts)
    return document, images


def _in_language(problems: list, language: str | None) -> list:
    """A translated edition's problems, each saying which language it is in."""
    if not language:
        return problems
    tag = f"{language}: "
    return [p if p.message.startswith(tag) else problems_mod.Problem(p.location, p.path, tag + p.message)
            for p in problems]


def _translated(raw, content_dir: Path, language: str | None, strict: bool):
    """The raw content in language: the catalog's texts swapped in and the package's fixed
    words of that language under the user's own. (raw, the i18n.Applied counts or None, and
    when strict, a problem for each outdated or missing entry: reported with the content's
    other problems, which the fallback texts still let the later checks find)."""
    from . import i18n
    source = raw.data.get("language") if isinstance(raw.data.get("language"), str) else "en"
    applied, problems = None, []
    if language and language != source:
        path = i18n.catalog_path(content_dir, language)
        if not path.exists():
            raise ContentError([problems_mod.Problem(problems_mod.Location(str(path)), "",
                                                     f"no catalog for '{language}'; make it with "
                                                     f"`{COMMAND} translations {language}`")])
        applied = i18n.apply(raw, i18n.read(path, language), path)
        if strict:
            problems = [problems_mod.Problem(u.where, u.context, f"{language}: "
                                             f"{'outdated' if u in applied.fuzzy else 'not translated'}")
                        for u in [*applied.fuzzy, *applied.missing]]
        raw = applied.raw
        raw.data["language"] = language
    labels = raw.data.get("labels")
    if labels is None or isinstance(labels, dict):
        raw.data["labels"] = {**model.default_labels(language or source), **(labels or {})}
    return raw, applied, problems


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
    if args.templates is None:
        args.templates = templates_dir()
    if args.targets[:1] == ["init"]:
        if len(args.targets) != 2:
            parser().error("init takes one folder: init DIR")
        return init(Path(args.targets[1]))
    if args.targets[:1] == ["preview"]:
        if len(args.targets) != 1:
            parser().error("preview takes no format: preview [--content DIR] [--out DIR] [--port N]")
        from . import preview
        return preview.command(args.content, args.out, args.templates, args.port, args.jobs)
    if args.targets[:1] == ["translations"]:
        return translations(args, args.targets[1:])
    if args.targets == ["verify"]:
        return verify_outputs(args)
    if args.targets == ["pack"]:
        return make_pack(args)
    if args.targets == ["changes"]:
        return changes_since(args)
    targets = list(dict.fromkeys(args.targets))
    unknown = [t for t in targets if t not in BUILDERS and t not in COMMANDS]
    if unknown:
        parser().error(f"unknown format {', '.join(map(repr, unknown))}; "
                       f"choose from {', '.join([*BUILDERS, *COMMANDS])}")
    if targets == ["schema"]:
        from .schema_doc import schema_text
        sys.stdout.write(schema_text())
        return EXIT_OK
    # Every edition (the source, each language asked for) is loaded and checked before any is
    # rendered: a problem in one language's catalog refuses the whole build.
    editions, problems = [], []
    for language in _languages(args):
        try:
            # The final edition (no --draft) goes out complete: no outdated or missing entry.
            document, images = load(args.content, language, args.strict or not (args.draft or args.fallback))
        except ContentError as error:
            problems += error.problems
            continue
        editions.append((language, document, images))
    if problems:
        return _report(ContentError(problems))
    theme = load_theme(args.templates)
    if targets == ["check"]:
        problems = [p for _, document, _ in editions for p in deck.fit_problems(document, theme)]
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
    jobs = []
    for language, document, images in editions:
        job = Job(content=document.content, document=document, theme=theme,
                  templates=args.templates.resolve(), built=built, version=content_version(args.content),
                  images=images, workers=max(1, args.jobs or os.cpu_count() or 1))
        # A slide that cannot fit is found by the handout's steps (the parent lays the deck out
        # while it imports WeasyPrint, rendering.py): every format is rendered before any is
        # written, so a refused build still writes nothing, and laying the deck out here
        # first would add 0.06 s to the part of the build that runs on one core.
        # Babel reads a language's dates on first use: once here, not in every process.
        from .dates import warm as warm_dates
        meeting = document.content.meeting
        warm_dates([document.content.date, document.content.handout.date, built,
                    meeting.date if meeting else None], document.content.language)
        jobs.append((language, job))
    for stale in remove_stale(args.out):  # left by a build that was killed outright
        log.debug("removed %s", stale)
    # Every format is rendered before any is written: content that cannot be laid out (a
    # slide that cannot fit) refuses the whole build, and then nothing at all is written.
    results, outs, job_of = [], {}, {}
    from .progress import Progress
    progress = Progress(len(jobs) * len(names), lines=len(jobs) > 1)
    out_of = {id(job): args.out / language if language else args.out for language, job in jobs}
    try:
        editions = rendering.render_editions([job for _, job in jobs], names, args.jobs)
        with closing(editions) as rendering_all:
            for job, result in rendering_all:
                results.append(result)
                outs[id(result)], job_of[id(result)] = out_of[id(job)], job
                progress.done(f"{job.content.language}: {result.name}",
                              None if result.error or result.problems is not None else result.seconds)
    finally:
        progress.close()
    for language, job in jobs:
        _tell_fallbacks(language, job.document)
    order = {id(job): i for i, (_, job) in enumerate(jobs)}
    results.sort(key=lambda r: order[id(job_of[id(r)])])  # written edition by edition
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
            files = result.files
            if args.draft and not result.error:
                files = _draft(files, job_of[id(result)])
            written = [] if result.error else write_outputs(outs[id(result)], files)
        except WriteError as error:  # a full disk: none of its files replaced (or told which)
            result.error, outcome = str(error), error.outcome
        if result.error:  # one format failing must not stop the others, nor hide the cause
            log.error("could not build %s; %s\n%s", result.name, outcome, _short(result.error, args.verbose))
            failed = True
            continue
        for w in written:
            print(f"wrote {w.path}  ({_size(w.size)}, {result.seconds:.1f} s)", flush=True)
    return EXIT_FAILED if failed else EXIT_OK


def _draft(files: dict[str, bytes], job) -> dict[str, bytes]:
    """A format's files marked DRAFT, in its edition's own language and date form."""
    from . import draft
    from .dates import long_date
    labels = job.content.labels
    words = f"{labels.draft} · {long_date(job.built, job.content.language)}"
    return draft.mark(files, words, job.theme.colors["gaps"], job.theme.fonts["body"])


def _languages(args) -> list[str | None]:
    """The editions to build: None is the source language, into --out itself."""
    from . import i18n
    asked = [code.strip() for value in (args.lang or []) for code in value.split(",") if code.strip()]
    if not asked:
        # `check` looks at every edition `make all` builds: the source and each catalog's.
        return [None, *i18n.languages(args.content)] if args.targets == ["check"] else [None]
    if "all" in asked:
        return [None, *i18n.languages(args.content)]
    return list(dict.fromkeys(asked))


def _tell_fallbacks(language: str | None, document) -> None:
    counts = getattr(document, "translation", None)
    if language and counts is not None and (counts.fuzzy or counts.missing):
        log.warning("%s: %d texts translated, %d outdated and %d missing shown in the source language "
                    "(`%s translations --status` lists them)", language, counts.translated,
                    len(counts.fuzzy), len(counts.missing), COMMAND)


def verify_outputs(args) -> int:
    """Every output in --out (and OUT/LANG for --lang) read back against the tree: exit 1 and
    each disagreement (output, place, content file and line) when any text is missing."""
    from . import verify
    theme = load_theme(args.templates)
    disagreements, checked = [], []
    for language in _languages(args):
        try:
            document, _ = load(args.content, language)
        except ContentError as error:
            return _report(error)
        out = args.out / language if language else args.out
        present = verify.outputs_present(document, out)
        if not present:
            print(f"{COMMAND}: no outputs of {args.content} in {out}; build them first", file=sys.stderr)
            return EXIT_INVALID
        checked += [str(out / name) for name in present]
        disagreements += verify.check(document, out, theme.fonts["body"])
    for disagreement in disagreements:
        print(disagreement, file=sys.stderr)
    if disagreements:
        print(f"{len(disagreements)} text{'s' if len(disagreements) != 1 else ''} of the content missing "
              f"from the outputs", file=sys.stderr)
        return EXIT_FAILED
    print(f"the {len(checked)} outputs say every text of the content: {', '.join(checked)}")
    return EXIT_OK


def changes_since(args) -> int:
    """build.py changes --since REF: the current edition against a previous one, in the source
    language into OUT/changes/ and in each language with a catalog into OUT/changes/LANG/."""
    import tempfile
    if not args.since:
        parser().error("changes needs --since REF: a meeting pack (.zip) or a git revision of the content")
    loaded = _dated(args)
    if isinstance(loaded, int):
        return loaded
    _, built = loaded
    from . import i18n
    languages = _languages(args) if args.lang else [None, *i18n.languages(args.content)]
    outputs: list[tuple[Path, dict[str, bytes], dict]] = []
    with tempfile.TemporaryDirectory(prefix="icat-previous-") as folder:
        try:
            previous_dir = _previous_edition(args.since, args.content, Path(folder))
        except _NoEdition as error:
            print(f"{COMMAND}: {error}; nothing was written", file=sys.stderr)
            return EXIT_INVALID
        for language in languages:
            if language and not i18n.catalog_path(previous_dir, language).exists():
                log.warning("%s: the edition %s has no catalog for this language; its changes are not "
                            "compared", language, args.since)
                continue
            try:
                current, _ = load(args.content, language)
            except ContentError as error:
                return _report(error)
            try:
                previous, _ = load(previous_dir, language)
            except ContentError as error:
                for problem in error.problems[:5]:
                    print(problem, file=sys.stderr)
                more = len(error.problems) - 5
                print(f"{COMMAND}: the edition {args.since} cannot be read by this version"
                      f"{f' ({more} more problems)' if more > 0 else ''}; nothing was written", file=sys.stderr)
                return EXIT_INVALID
            files, counts = _changes_files(args, previous, current, built)
            out = args.out / "changes" / language if language else args.out / "changes"
            outputs.append((current.content.language, out, files, counts))
    # Every language compared before any file is written: all or nothing, as a build.
    for _, out, files, _ in outputs:
        for w in write_outputs(out, files):
            print(f"wrote {w.path}  ({_size(w.size)})")
    for language, _, _, counts in outputs:
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        print(f"{language}: {summary}" if len(outputs) > 1 else summary)
    return EXIT_OK


def _changes_files(args, previous, current, built) -> tuple[dict[str, bytes], dict]:
    """One language's change files (Word with tracked changes, HTML, PDF) and its counts."""
    from . import changes
    from .render import changes_docx
    sections = changes.compare(previous, current)
    content, labels = current.content, current.content.labels
    theme = load_theme(args.templates)
    levels = {s.id: s.level for s in (*previous.walk(), *current.walk())}
    author = f"{content.publisher_name} ({content.publisher})"
    name = content.report.output
    files = {f"{name}-changes.docx": changes_docx.render(sections, levels, f"{content.title} – {labels.changes}",
                                                          author, built, content.language, theme)}
    from .templating import environment
    from .render.html import writing
    page = environment(args.templates).get_template("changes.html.j2").render(
        c=content, t=theme, labels=labels, since=args.since, sections=[s for s in sections if s.shown],
        **writing(content.language or "en", theme.fonts["body"], theme.fallback_fonts))
    files[f"{name}-changes.html"] = page.encode("utf-8")
    # Printed as the report is: tagged PDF/UA, fonts embedded, only the project's files read.
    from .engines.fetcher import ProjectOnlyFetcher
    from .engines.parsing import page as parsed
    from .engines.pdftags import write_tagged_pdf
    from .engines.weasy import font_config
    printed = parsed(page, f"{args.templates}/", ProjectOnlyFetcher(args.templates, allow_redirects=False))
    files[f"{name}-changes.pdf"] = write_tagged_pdf(printed, pdf_identifier=b"icat-changes",
                                                    font_config=font_config())
    return files, changes.summary(sections)


def _dated(args):
    """The content's tree and its build date, or the exit status of why there are none."""
    try:
        return load(args.content)[0], build_time(args.content)
    except ContentError as error:
        return _report(error)
    except BadEpoch as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return EXIT_INVALID


class _NoEdition(Exception):
    pass


def _previous_edition(ref: str, content_dir: Path, into: Path) -> Path:
    """The content of the edition ref names, unpacked into a folder: a meeting pack's
    snapshot, or the content folder as the project's git repository held it at a revision."""
    from . import pack
    candidate = Path(ref)
    if candidate.suffix == ".zip" or candidate.is_file():
        if not candidate.is_file():
            raise _NoEdition(f"no such pack: {ref}")
        try:
            return pack.content_of(candidate, into / "content")
        except pack.PackError as error:
            raise _NoEdition(str(error)) from None
    import subprocess
    import tarfile
    folder = Path(content_dir).resolve()
    try:
        relative = folder.relative_to(PROJECT)
    except ValueError:
        raise _NoEdition(f"{ref} is not a pack, and {content_dir} is not in this project's git "
                         "repository to read a revision from") from None
    # Only the project's own repository, with nothing of its settings that could run a command.
    git = ["git", "-C", str(PROJECT), "--no-pager", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
           "-c", f"safe.directory={PROJECT}"]
    try:
        done = subprocess.run([*git, "archive", "--format=tar", f"{ref}^{{commit}}", "--", relative.as_posix()],
                              capture_output=True, timeout=60, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})
    except (OSError, subprocess.SubprocessError) as error:
        raise _NoEdition(f"cannot run git: {error}") from None
    if done.returncode != 0:
        raise _NoEdition(f"'{ref}' is neither a meeting pack nor a revision of the content "
                         f"({done.stderr.decode(errors='replace').strip().splitlines()[-1:] or ['git failed']}[0])")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        for member in archive.getmembers():
            name = Path(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                continue  # git writes plain files; anything else is not content
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())
    return into / relative


def make_pack(args) -> int:
    """build.py pack: the meeting pack of what is in --out; with --verify, check a pack."""
    from . import pack
    if args.verify_pack is not None:
        try:
            problems = pack.verify(args.verify_pack)
        except pack.PackError as error:
            print(f"{COMMAND}: {error}", file=sys.stderr)
            return EXIT_INVALID
        for problem in problems:
            print(f"{args.verify_pack}: {problem}", file=sys.stderr)
        if problems:
            return EXIT_FAILED
        print(f"{args.verify_pack}: every file matches its manifest")
        return EXIT_OK
    loaded = _dated(args)
    if isinstance(loaded, int):
        return loaded
    document, built = loaded
    content = document.content
    meeting = content.meeting
    name, date = (meeting.name, meeting.date) if meeting else (content.handout.event, content.handout.date)
    target = args.out / "pack" / pack.name_of(name, date)
    if target.exists() and not args.force:
        print(f"{COMMAND}: {target} exists; give --force to replace it", file=sys.stderr)
        return EXIT_INVALID
    try:
        data = pack.make(args.out, args.content, name, date, content_version(args.content), built)
    except pack.PackError as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return EXIT_INVALID
    from .writer import write_atomic
    written = write_atomic(target, data)
    print(f"wrote {written.path}  ({_size(written.size)})")
    return EXIT_OK


def translations(args, languages: list[str]) -> int:
    """Create or update the catalogs named, or (--status) say how complete each one is."""
    from . import i18n
    try:
        raw = loader.load(args.content)
    except ContentError as error:
        return _report(error)
    source = raw.data.get("language") if isinstance(raw.data.get("language"), str) else "en"
    if args.status:
        incomplete = False
        for language in languages or i18n.languages(args.content):
            try:
                found = i18n.status(raw, args.content, language)
            except ContentError as error:
                return _report(error)
            print(f"{language}: {found.translated} translated, {len(found.fuzzy)} outdated (fuzzy), "
                  f"{len(found.missing)} missing, of {found.total}")
            for unit in found.fuzzy:
                print(f"  {unit.where}: {unit.context}: outdated")
            for unit in found.missing:
                print(f"  {unit.where}: {unit.context}: missing")
            incomplete |= bool(found.fuzzy or found.missing)
        return EXIT_INVALID if args.strict and incomplete else EXIT_OK
    if not languages:
        parser().error("translations takes the languages to create or update, e.g. translations fr ar")
    try:
        when = build_time(args.content)
    except BadEpoch as error:
        print(f"{COMMAND}: {error}", file=sys.stderr)
        return EXIT_INVALID
    for language in languages:
        if language == source or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", language):
            parser().error(f"'{language}' is not a language to translate into (the source is '{source}')")
        try:
            path, entries, fuzzy = i18n.update(args.content, raw, language, source, when)
        except ContentError as error:
            return _report(error)
        print(f"wrote {path}  ({entries} entries, {fuzzy} outdated)")
    return EXIT_OK


def init(folder: Path) -> int:
    """Write the starter publication (outline, document, deck) into folder, which must not
    hold content yet."""
    from importlib.resources import files
    starter = files("icat_reports") / "data" / "starter"
    names = sorted(item.name for item in starter.iterdir() if item.name.endswith(".yaml"))
    taken = [name for name in names if (folder / name).exists()]
    if taken:
        print(f"{COMMAND}: {folder} already holds {', '.join(taken)}; nothing was written", file=sys.stderr)
        return EXIT_INVALID
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes((starter / name).read_bytes())
    print(f"wrote a starter publication into {folder}: {', '.join(names)}")
    print(f"build it with: {COMMAND} all --content {folder} --out {folder / 'build'}")
    return EXIT_OK


def run() -> None:
    """The installed `icat-reports` command."""
    global COMMAND
    COMMAND = "icat-reports"
    sys.exit(main())


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
