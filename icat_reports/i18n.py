"""The content's texts to gettext catalogs (content/translations/LANG.po), and catalogs back
into translated content.

One entry per text a reader sees: every title, name, list item and slide text of the data
files, and each paragraph, list item, table cell and footnote of the outline's Markdown, with
`msgctxt` naming where it comes from and `#:` its file and line. Babel reads and writes the
PO files and merges a new extraction into a catalog as msgmerge does: a translation is kept,
and marked fuzzy (the old English kept as `#|`) when its English changed.

A translation is applied to the raw content, before validation, so that every later stage
(the model, the tree, every renderer) works on the translated text as on the source. What
identifies a key area or a section to the deck (`areas.NAME.gaps`, `sections.ID`) is kept
from the source. An entry missing or fuzzy falls back to the source text, and is counted.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from .loader import RawContent
from .problems import ContentError, Location, Problem, format_path

log = logging.getLogger(__name__)

FOLDER = "translations"
# Keys whose text no reader sees as prose: names the code looks up, numbers, addresses.
_NOT_TEXT = frozenset({"id", "source", "file", "url", "output", "language", "date", "acronym",
                       "only", "show", "columns", "starts_page", "publisher", "coordinator",
                       "organization", "telephone", "fax", "email", "symbol", "isbn",
                       "sales_number", "job_number", "roles", "key", "presenters"})
# What a translation must keep of its source: link targets, footnote marks, placeholders.
_KEPT = (re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"), re.compile(r"\[\^([^\]\s]+)\]"),
         re.compile(r"\{(\w+)\}"))


@dataclass(frozen=True)
class Unit:
    """One translatable text: where it is in the raw data, and which part of the string."""

    path: tuple
    start: int
    end: int
    text: str          # the source text, white space folded
    context: str       # msgctxt
    where: Location


@dataclass
class Applied:
    raw: RawContent
    translated: int = 0
    fuzzy: list = field(default_factory=list)    # Units whose entry is outdated
    missing: list = field(default_factory=list)  # Units with no translation


# -- extraction ------------------------------------------------------------------------

def units(raw: RawContent) -> list[Unit]:
    """Every translatable text of the content, in file order."""
    out: list[Unit] = []

    def walk(value, path: tuple) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, path + (i,))
        elif isinstance(value, str) and _is_text(path):
            out.extend(_units_of(raw, path, value))

    walk(raw.data, ())
    return out


def _is_text(path: tuple) -> bool:
    if path and path[0] in ("roles",):  # what each role means: a column heading
        return len(path) == 2
    keys = [p for p in path if isinstance(p, str)]
    return bool(keys) and keys[-1] not in _NOT_TEXT


def _units_of(raw: RawContent, path: tuple, value: str) -> list[Unit]:
    where = raw.text_line(path)
    name = format_path(path)
    if not _is_markdown_body(path):
        text = _fold(value)
        return [Unit(path, 0, len(value), text, name, raw.locate(path))] if text else []
    found = []
    for n, (start, end, line) in enumerate(_chunks(value), 1):
        text = _fold(value[start:end])
        if text:
            found.append(Unit(path, start, end, text, f"{name}#{n}", Location(where.file, where.line + line)))
    return found


def _is_markdown_body(path: tuple) -> bool:
    keys = [p for p in path if isinstance(p, str)]
    return path[:1] == ("report",) and keys[-1:] in (["body"], ["text"])


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")
_NOTE = re.compile(r"^\[\^[^\]]+\]:\s*")


def _chunks(text: str) -> list[tuple[int, int, int]]:
    """The translatable parts of a Markdown text: (start, end, line) of each paragraph, list
    item, table cell, quote and footnote, without their marks."""
    lines = text.splitlines(keepends=True)
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line)
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("|"):  # a table: each cell of each row but the delimiter row
            if not re.fullmatch(r"\|?[\s:|-]+\|?", stripped):
                for match in re.finditer(r"(?<=\|)([^|]+)(?=\|)", line):
                    if match.group(1).strip():
                        s = offsets[i] + match.start(1)
                        out.append(_trim(text, s, offsets[i] + match.end(1), i))
            i += 1
            continue
        # One unit runs to the next blank line, the next list item or the next footnote.
        start_line = i
        lead = len(line) - len(line.lstrip())
        mark = _LIST_ITEM.match(line) or _NOTE.match(line.lstrip()) or re.match(r"^\s*(>\s*)+", line) \
            or re.match(r"^\s*#+\s*", line)
        skip = (mark.end() + (lead if _NOTE.match(line.lstrip()) else 0)) if mark else lead
        i += 1
        while i < len(lines) and lines[i].strip() and not _LIST_ITEM.match(lines[i]) \
                and not _NOTE.match(lines[i].lstrip()) and not lines[i].strip().startswith("|"):
            i += 1
        start = offsets[start_line] + skip
        end = offsets[i - 1] + len(lines[i - 1].rstrip("\n"))
        if stripped.startswith("```") or stripped.startswith("!["):
            continue  # code is not prose; a figure's alt text and caption stay as written
        out.append(_trim(text, start, end, start_line))
    return out


def _trim(text: str, start: int, end: int, line: int) -> tuple[int, int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end, line


# -- catalogs --------------------------------------------------------------------------

def catalog_path(content_dir: Path, language: str) -> Path:
    return Path(content_dir) / FOLDER / f"{language}.po"


def languages(content_dir: Path) -> list[str]:
    """The languages that have a catalog, in order."""
    folder = Path(content_dir) / FOLDER
    return sorted(p.stem for p in folder.glob("*.po")) if folder.is_dir() else []


def template(raw: RawContent, source_language: str, when: dt.datetime):
    from babel.messages.catalog import Catalog
    catalog = Catalog(locale=source_language, project="icat-reports content", charset="utf-8",
                      creation_date=when, revision_date=when, fuzzy=False)
    for unit in units(raw):
        catalog.add(unit.text, context=unit.context, locations=[(unit.where.file, unit.where.line)])
    return catalog


def update(content_dir: Path, raw: RawContent, language: str, source_language: str,
           when: dt.datetime) -> tuple[Path, int, int]:
    """Create or update LANG.po from the content; (its path, entries, fuzzy ones)."""
    from babel.messages.catalog import Catalog
    from babel.messages import pofile
    path = catalog_path(content_dir, language)
    new = template(raw, source_language, when)
    if path.exists():
        catalog = read(path, language)
    else:
        catalog = Catalog(locale=language, project="icat-reports content", charset="utf-8",
                          creation_date=when, revision_date=when, fuzzy=False)
    catalog.update(new, no_fuzzy_matching=False, update_header_comment=False, keep_user_comments=True)
    catalog.creation_date = catalog.revision_date = when
    catalog.obsolete.clear()  # texts the content no longer has
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, width=100, include_previous=True, sort_output=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    from .writer import write_atomic
    write_atomic(path, buffer.getvalue())
    entries = [m for m in catalog if m.id]
    return path, len(entries), sum(1 for m in entries if m.fuzzy)


def read(path: Path, language: str):
    """A catalog, or ContentError naming the file and line of what is wrong in it."""
    from babel.messages import pofile
    shown = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ContentError([Problem(Location(shown), "", f"cannot read the catalog: {error.strerror}")])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError([Problem(Location(shown, line), "", "the catalog is not UTF-8 text; save it as UTF-8")])
    seen: dict[tuple, int] = {}
    problems = []
    for number, key in _keys(data.decode("utf-8")):
        if key in seen:
            problems.append(Problem(Location(shown, number), "", f"the entry {key[1]!r} (msgctxt {key[0]!r}) "
                                    f"is given twice (first on line {seen[key]}); keep one"))
        seen.setdefault(key, number)
    if problems:
        raise ContentError(problems)
    try:
        return pofile.read_po(io.BytesIO(data), locale=language, abort_invalid=True, charset="utf-8")
    except pofile.PoFileError as error:
        line = getattr(error, "lineno", -1) + 1  # Babel counts lines from 0
        raise ContentError([Problem(Location(shown, line), "", f"the catalog cannot be read: {error}")]) from None
    except (ValueError, UnicodeError) as error:
        raise ContentError([Problem(Location(shown), "", f"the catalog cannot be read: {error}")]) from None


def _keys(text: str):
    """(line, (msgctxt, msgid)) of each entry, read roughly: for duplicates only."""
    context, number = None, 0
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("msgctxt "):
            context = _string(lines, i)
        elif line.startswith("msgid ") and not line.startswith("msgid_plural"):
            number = i + 1
            ident = _string(lines, i)
            if ident:
                yield number, (context, ident)
            context = None
        i += 1


def _string(lines: list[str], i: int) -> str:
    import ast
    parts = [lines[i].split(" ", 1)[1].strip()]
    j = i + 1
    while j < len(lines) and lines[j].strip().startswith('"'):
        parts.append(lines[j].strip())
        j += 1
    try:
        return "".join(ast.literal_eval(p) for p in parts)
    except (ValueError, SyntaxError):
        return "".join(parts)


# -- applying ----------------------------------------------------------------------------

def apply(raw: RawContent, catalog, path: Path) -> Applied:
    """The raw content with every translated text swapped in, or ContentError naming each
    entry whose translation lost what it must keep."""
    data = copy.deepcopy(raw.data)
    result = Applied(RawContent(data, raw.locations, raw.files, raw.text_lines))
    by_path: dict[tuple, list[tuple[Unit, str]]] = {}
    problems = []
    for unit in units(raw):
        message = catalog.get(unit.text, context=unit.context)
        if message is None or not message.string:
            result.missing.append(unit)
            continue
        if message.fuzzy:
            result.fuzzy.append(unit)
            continue
        translation = str(message.string)
        lost = _lost(unit.text, translation)
        if lost:
            problems.append(Problem(Location(str(path), getattr(message, "lineno", 0) or 0), unit.context,
                                    f"the translation must keep {lost}"))
            continue
        by_path.setdefault(unit.path, []).append((unit, translation))
        result.translated += 1
    if problems:
        raise ContentError(problems)
    _keep_names(data)
    for where, pieces in by_path.items():
        text = _get(data, where)
        for unit, translation in sorted(pieces, key=lambda p: -p[0].start):
            if _in_table_cell(text, unit):
                translation = translation.replace("|", "\\|")
            text = text[: unit.start] + translation + text[unit.end:]
        _set(data, where, text)
    return result


def _lost(source: str, translation: str) -> str | None:
    for pattern, what in zip(_KEPT, ("its link", "its footnote mark", "its placeholder")):
        needed = sorted(pattern.findall(source))
        if sorted(pattern.findall(translation)) != needed and needed:
            shown = ", ".join(dict.fromkeys(needed))
            return f"{what}{'s' if len(needed) > 1 else ''} ({shown}) as the source has"
    return None


def _in_table_cell(text: str, unit: Unit) -> bool:
    line_start = text.rfind("\n", 0, unit.start) + 1
    return text[line_start:unit.start].lstrip().startswith("|")


def _keep_names(data: dict) -> None:
    """What the deck and the anchors know a key area or a section by stays the source's."""
    from .model import slug
    for area in data.get("areas") or []:
        if isinstance(area, dict) and isinstance(area.get("name"), str) and "key" not in area:
            area["key"] = area["name"]

    def sections(entries):
        for entry in entries or []:
            if isinstance(entry, dict):
                if isinstance(entry.get("title"), str) and not entry.get("id"):
                    entry["id"] = slug(entry["title"])
                sections(entry.get("sections"))
    report = data.get("report")
    if isinstance(report, dict):
        sections(report.get("sections"))


def _get(data, path: tuple):
    for part in path:
        data = data[part]
    return data


def _set(data, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


# -- status ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    language: str
    translated: int
    fuzzy: tuple      # Units
    missing: tuple

    @property
    def total(self) -> int:
        return self.translated + len(self.fuzzy) + len(self.missing)


def status(raw: RawContent, content_dir: Path, language: str) -> Status:
    path = catalog_path(content_dir, language)
    applied = apply(raw, read(path, language), path)
    return Status(language, applied.translated, tuple(applied.fuzzy), tuple(applied.missing))
