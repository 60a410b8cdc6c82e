"""YAML files to raw data: plain dicts, lists and scalars, each value's file and line kept.

Loading is safe (no Python object tags), refuses duplicate keys, which PyYAML would silently
overwrite, and bounds alias expansion so that a "billion laughs" file fails fast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import ContentError, Location, Problem, format_path

log = logging.getLogger(__name__)

# Content is a few hundred values; this many means an alias bomb, not an analytical review.
MAX_NODES = 200_000
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
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
            self.loader.flatten_mapping(node)
            result = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(self.where(key_node), format_path(path),
                                                 "a key must be a plain word, not a list or mapping"))
                    continue
                # The key as typed: YAML 1.1 would read `yes:` or `no:` as booleans.
                key = key_node.value
                if key in result:
                    self.problems.append(Problem(
                        self.where(key_node), format_path(path + (key,)),
                        f"duplicate key '{key}' (first given on line "
                        f"{self.raw.locations[path + (key,)].line}); keep only one"))
                    continue
                self.raw.locations[path + (key,)] = self.where(value_node)
                result[key] = self.value(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node)


class _TooLarge(Exception):
    def __init__(self, where: Location):
        self.where = where


def _yaml_problem(file: str, error: yaml.YAMLError, source: str) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
    text = getattr(error, "problem", None) or str(error)
    lines = source.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1] or "'\\t'" in text:
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
    files = sorted(p for p in content_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise ContentError([Problem(Location(shown), "", "no .yaml files in the content directory")])
    raw, problems = RawContent(), []
    for path in files:
        log.debug("loading %s", path)
        load_file(path, f"{shown}/{path.name}", raw, problems)
    if problems:
        raise ContentError(problems)
    return raw


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
