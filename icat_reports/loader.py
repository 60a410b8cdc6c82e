"""YAML files to raw data: plain dicts, lists and scalars, each value's file and line kept.

Loading is safe (no Python object tags), refuses duplicate keys, which PyYAML would silently
overwrite, and bounds alias expansion so that a "billion laughs" file fails fast.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import ContentError, Location, Problem, format_path

log = logging.getLogger(__name__)

# Content is a few hundred values; this many means an alias bomb, not an analytical review.
MAX_NODES = 200_000
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
# Characters XML 1.0 forbids (Word, PowerPoint, the HTML and the PDF's XML would all fail or
# drop them): the C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The longest word text may hold: a browser or WeasyPrint lays a 20,000-letter word out for
# many seconds, and no reader needs one. Link targets are not laid out, so they do not count.
MAX_WORD = 500
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD + 1))
_LINK_TARGETS = re.compile(r"\]\((<[^>]*>|[^)\s]*)(\s+\"[^\"]*\")?\)|<(https?|mailto):[^>\s]*>")
# libyaml's parser when PyYAML was built with it (several times faster); the same safe rules.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class RawContent:
    """All content files merged into one mapping, with where each value came from."""

    data: dict = field(default_factory=dict)
    locations: dict[tuple, Location] = field(default_factory=dict)
    files: dict[str, Location] = field(default_factory=dict)  # top-level key -> its file
    # The line where the text of a block scalar (`key: |` or `key: >`) starts: the line after
    # its indicator. Markdown problems are counted from there.
    text_lines: dict[tuple, int] = field(default_factory=dict)

    def text_line(self, path: tuple) -> Location:
        """Where the text of the value at path starts (line 1 of its Markdown)."""
        where = self.locate(path)
        return Location(where.file, self.text_lines.get(tuple(path), where.line), 0)

    def locate(self, path: tuple) -> Location:
        """The location of the value at path, or of its nearest located parent."""
        path = tuple(path)
        while path:
            if path in self.locations:
                return self.locations[path]
            path = path[:-1]
        return Location("content")


class _Walker:
    def __init__(self, loader: yaml.SafeLoader, file: str, raw: RawContent, problems: list):
        self.loader, self.file, self.raw, self.problems = loader, file, raw, problems
        self.visited = 0
        self.from_merge: dict[int, set] = {}  # per mapping node: the keys a merge brought

    def where(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def value(self, node: yaml.Node, path: tuple):
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooLarge(self.where(node))
        self.raw.locations.setdefault(path, self.where(node))
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            self.raw.text_lines[path] = node.start_mark.line + 2
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            # Scalars with foreign tags fail in construct_object; lists and mappings must too.
            raise yaml.constructor.ConstructorError(
                None, None, f"could not determine a constructor for the tag '{node.tag}'", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            merged = self.flatten(node)
            result = {}
            for index, (key_node, value_node) in enumerate(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(self.where(key_node), format_path(path),
                                                 "a key must be a plain word, not a list or mapping"))
                    continue
                # The key as typed: YAML 1.1 would read `yes:` or `no:` as booleans.
                key = key_node.value
                self.check_text(key_node, key, path)
                if key in result:
                    if index >= merged and key in self.from_merge.get(id(node), ()):
                        # A key written here overrides the one a merge (`<<: *name`) brought.
                        self.from_merge[id(node)].discard(key)
                    elif index < merged:
                        continue  # the first of several merged mappings that give it wins
                    else:
                        self.problems.append(Problem(
                            self.where(key_node), format_path(path + (key,)),
                            f"duplicate key '{key}' (first given on line "
                            f"{self.raw.locations[path + (key,)].line}); keep only one"))
                        continue
                if index < merged:
                    self.from_merge.setdefault(id(node), set()).add(key)
                self.raw.locations[path + (key,)] = self.where(value_node)
                result[key] = self.value(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def flatten(self, node: yaml.MappingNode) -> int:
        """Apply the mapping's merge keys (`<<: *name`); how many of its pairs they brought."""
        written = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        self.loader.flatten_mapping(node)
        return len(node.value) - written

    def scalar(self, node: yaml.ScalarNode, path: tuple):
        try:
            value = self.loader.construct_object(node)
        except yaml.constructor.ConstructorError:
            raise
        except (ValueError, OverflowError, TypeError):
            # A value YAML recognises by its form but not as a value: `2010-02-30` looks like a
            # date and is none. Kept as the text written; the schema then says what it expects.
            value = node.value
        if isinstance(value, str):
            self.check_text(node, value, path)
        return value

    def check_text(self, node: yaml.Node, text: str, path: tuple) -> None:
        """Text no output can carry: characters XML forbids; a word too long to lay out."""
        bad = _FORBIDDEN.search(text)
        if bad:
            line = node.start_mark.line + 1 + (text.count("\n", 0, bad.start()) if node.style in ("|", ">") else 0)
            line += 1 if node.style in ("|", ">") else 0
            self.problems.append(Problem(
                Location(self.file, line), format_path(path),
                f"contains the control character U+{ord(bad.group()):04X}, which no output can show; "
                "remove it"))
        if path[-1:] in (("url",), ("file",)):
            return
        words = _LONG_WORD.findall(_LINK_TARGETS.sub("]", text))
        if words:
            self.problems.append(Problem(
                self.where(node), format_path(path),
                f"a word of {len(words[0]):,} characters ('{words[0][:30]}…'); at most "
                f"{MAX_WORD} fit on a line: break it with spaces"))


class _TooLarge(Exception):
    def __init__(self, where: Location):
        self.where = where


def _yaml_problem(file: str, error: yaml.YAMLError, source: str) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow in a file
        before = source[: error.position] if isinstance(error.position, int) else ""
        line = before.count("\n") + 1
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        return Problem(Location(file, line), "", f"contains the control character U+{code:04X}, which "
                                                 "no output can show; remove it")
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
    text = getattr(error, "problem", None) or str(error)
    lines = source.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if (mark and "\t" in line[: mark.column + 1]) or "'\\t'" in text:
        message = "a tab character is used for indentation; indent with spaces only"
    elif isinstance(error, yaml.constructor.ConstructorError):
        message = f"unsupported YAML tag ({text}); content must be plain text, lists and mappings"
    else:
        column = f", column {mark.column + 1}" if mark else ""
        message = f"YAML syntax error{column}: {text}"
    return Problem(location, "", message)


def load_file(path: Path, display: str, raw: RawContent, problems: list[Problem]) -> None:
    """Read one YAML file into raw, adding any problem found to problems."""
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(Location(display), "", f"cannot read the file: {error.strerror}"))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(Location(display, line), "",
                                "the file is not UTF-8 text; save it as UTF-8"))
        return
    if not text.strip() or all(not l.strip() or l.lstrip().startswith("#") for l in text.splitlines()):
        problems.append(Problem(Location(display, 1), "", "the file is empty"))
        return
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.append(Problem(Location(display, 1), "", "the file is empty"))
            return
        walker = _Walker(loader, display, raw, problems)
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(walker.where(node), "",
                                    "the file must be a mapping of names to values (name: value)"))
            return
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(walker.where(key_node), "", "a top-level key must be a word"))
                continue
            key = key_node.value
            if key in raw.data:
                first = raw.locations[(key,)]
                problems.append(Problem(walker.where(key_node), key,
                                        f"duplicate key '{key}' (already given at {first}); keep only one"))
                continue
            raw.locations[(key,)] = walker.where(value_node)
            raw.files[key] = Location(display)
            raw.data[key] = walker.value(value_node, (key,))
    except _TooLarge as error:
        problems.append(Problem(error.where, "",
                                f"the file expands to more than {MAX_NODES:,} values through "
                                "aliases (&name / *name); refusing to load it"))
    except yaml.YAMLError as error:
        problems.append(_yaml_problem(display, error, text))
    finally:
        loader.dispose()


def load(content_dir: Path) -> RawContent:
    """Load every *.yaml file of content_dir, or raise ContentError with every problem."""
    content_dir = Path(content_dir)
    shown = _display_name(content_dir)
    if not content_dir.is_dir():
        raise ContentError([Problem(Location(shown), "", "content directory not found")])
    named = sorted(p for p in content_dir.iterdir() if p.suffix in (".yaml", ".yml"))
    # A link that leads out of the folder is refused, as an image's is: nothing is read from
    # outside the content folder. A link to another file of the folder is read.
    outside = [p for p in named if _leads_out(p, content_dir.resolve())]
    files = [p for p in named if p not in outside and p.is_file()]
    if not files and not outside:
        raise ContentError([Problem(Location(shown), "", "no .yaml files in the content directory")])
    raw, problems = RawContent(), [
        Problem(Location(f"{shown}/{p.name}"), "", "the file is a link that leads out of the content "
                "folder; nothing outside it is read: copy the file into the folder instead")
        for p in outside]
    for path in files:
        log.debug("loading %s", path)
        load_file(path, f"{shown}/{path.name}", raw, problems)
    if problems:
        raise ContentError(problems)
    return raw


def _leads_out(path: Path, folder: Path) -> bool:
    """Whether path resolves outside folder: it is a link that leads out."""
    try:
        return not path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a loop of links: no file, and nothing read
        return False


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
