"""Raw content to the typed, validated content model. Format-neutral; no I/O.

The schema is declared as pydantic models: the document (document.yaml), the report's outline
(report.yaml), the slide deck (handout.yaml) and the data files that several places show
(organizations.yaml, areas.yaml, contact.yaml), each optional but the first three. Validation
collects every problem, maps each to the file and line it came from, and raises one
ContentError. The outline's Markdown is checked when the document tree is made (tree.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal, Union

import yaml
from pydantic import (BaseModel, Discriminator, Field, StringConstraints, Tag,
                      ValidationError, field_validator, model_validator)

from .deck import Deck
from .fields import Schema, Text
from .inline import safe_url
from .loader import RawContent
from .problems import ContentError, Location, Problem, format_path

Acronym = Text  # an organization's acronym, defined in organizations.yaml
TextList = Annotated[list[Text], Field(min_length=1)]
LABELS_FILE = Path(__file__).parent / "data" / "labels.yaml"


LABELS_FOLDER = Path(__file__).parent / "data" / "labels"


@cache
def default_labels(language: str = "en") -> dict[str, str]:
    """The layouts' fixed words as the package ships them, in language (English for a
    language it does not ship); document.yaml may override each."""
    words = yaml.safe_load(LABELS_FILE.read_text("utf-8"))
    own = LABELS_FOLDER / f"{language.split('-')[0]}.yaml"
    if own.is_file():
        words.update(yaml.safe_load(own.read_text("utf-8")) or {})
    return words


class Labels(Schema):
    """The fixed words of the layouts (never a section heading: those are in report.yaml)."""

    contents: Text = Field(description="Heading of the table of contents")
    page_of: Text = Field(description="Page footer, with {page} and {pages}")
    acronym: Text = Field(description="Member table: the acronym column")
    organization: Text = Field(description="Member table: the name column")
    yes: Text = Field(description="Member table: the mark of a role")
    gaps: Text = Field(description="Heading of a key area's gaps")
    recommendations: Text = Field(description="Heading of a key area's recommendations")
    telephone: Text = Field(description="Before the telephone number")
    fax: Text = Field(description="Before the fax number")
    email: Text = Field(description="Before the e-mail address")
    notes: Text = Field(description="Heading of the notes (footnotes) on the web page")
    back_to_text: Text = Field(description="Link from a note back to its place in the text")
    imprint: Text = Field(description="Imprint: the name a screen reader gives the page after the cover")
    built: Text = Field(description="Imprint: before the build date")
    version: Text = Field(description="Imprint: before the content version")
    generator: Text = Field(description="Imprint: how the file was made")
    skip: Text = Field(description="The web page's skip link")
    symbol: Text = Field(description="Imprint: before the document symbol")
    isbn: Text = Field(description="Imprint: before the ISBN")
    sales_number: Text = Field(description="Imprint: before the sales number")
    job_number: Text = Field(description="Imprint: before the job number")
    draft: Text = Field(description="The mark of a draft on every page and slide")
    changes: Text = Field(description="Change pages: their heading")
    no_changes: Text = Field(description="Change pages: a section without changes")
    section_added: Text = Field(description="Change pages: a section that is new")
    section_removed: Text = Field(description="Change pages: a section that is gone")
    section_moved: Text = Field(description="Change pages: a section moved to where it now stands")
    item_added: Text = Field(description="Change pages: a text added")
    item_removed: Text = Field(description="Change pages: a text removed")
    item_reworded: Text = Field(description="Change pages: a text reworded")
    item_moved_in: Text = Field(description="Change pages: a text moved here")
    item_moved_out: Text = Field(description="Change pages: a text moved away")

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, value):
        return {**default_labels(), **value} if isinstance(value, dict) else value

    @field_validator("page_of")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        if "{page}" not in value or "{pages}" not in value:
            raise ValueError("must contain {page} and {pages}, as in 'Page {page} of {pages}'")
        return value

    def page_parts(self) -> tuple[str, str, str]:
        """page_of cut at its placeholders: the texts before {page}, between, and after {pages}."""
        before, rest = self.page_of.split("{page}", 1)
        middle, after = rest.split("{pages}", 1)
        return before, middle, after


class Organization(Schema):
    acronym: Acronym
    name: Text
    roles: list[Text] = Field(default_factory=list, description="Roles named in `roles`")


class Area(Schema):
    name: Text
    key: Text | None = Field(None, description="What slides' sources call it (areas.KEY.gaps); "
                                               "its name by default, the source's in a translation")
    gaps: TextList
    recommendations: TextList

    @property
    def id(self) -> str:
        return slug(self.key or self.name)


class Contact(Schema):
    intro: Text
    unit: Text
    organization: Acronym | None = None
    address: TextList
    telephone: Text | None = None
    fax: Text | None = None
    email: Text | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("expected an e-mail address such as name@example.org")
        return value


IMAGE_TYPES = (".png", ".jpg", ".jpeg")


def image_path_problem(value: str) -> str | None:
    """Why value cannot name an image in the content folder, or None."""
    path = PurePosixPath(value.replace("\\", "/"))
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        return "expected a file in the content folder, such as images/cover.png, not an address"
    if path.is_absolute():
        return "expected a file inside the content folder, not an absolute path"
    if ".." in path.parts:
        return "'..' is not allowed: the file must be inside the content folder"
    if path.suffix.lower() not in IMAGE_TYPES:
        return f"expected a {' or '.join(IMAGE_TYPES)} image, got '{path.name}'"
    return None


class Image(Schema):
    """A picture from the content folder, with the text a screen reader says for it."""

    file: Text
    alt: Text

    @field_validator("file")
    @classmethod
    def _inside_content(cls, value: str) -> str:
        problem = image_path_problem(value)
        if problem:
            raise ValueError(problem)
        return str(PurePosixPath(value.replace("\\", "/")))


class Imprint(Schema):
    """What the page after the cover says: rights, disclaimer, the publication's numbers."""

    copyright: Text | None = Field(None, description="e.g. © United Nations, 2010. All rights reserved.")
    disclaimer: Text | None = Field(None, description="The designations employed and the presentation ...")
    note: Text | None = Field(None, description="e.g. This publication has not been formally edited.")
    symbol: Text | None = Field(None, description="Document symbol")
    isbn: Text | None = Field(None, description="ISBN")
    sales_number: Text | None = Field(None, description="United Nations sales number")
    job_number: Text | None = Field(None, description="Job number")
    edition: Text | None = Field(None, description="The edition, e.g. First edition")


class Meeting(Schema):
    """The meeting a set of outputs is made for."""

    name: Text = Field(description="e.g. 7th ICAT meeting")
    date: dt.date = Field(description="YYYY-MM-DD")
    venue: Text | None = Field(None, description="Where it is held")


class Link(Schema):
    label: Text
    url: Text

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not safe_url(value) or not re.match(r"(?i)(https?://[^\s/]+|mailto:[^\s]+@)", value):
            raise ValueError("expected a web address starting with https:// or http://, or mailto:")
        if re.search(r'[\s<>"]', value):
            raise ValueError("a web address cannot hold spaces, <, > or \"; write them as %20, %3C, "
                             "%3E and %22")
        return value


# -- the report's outline (report.yaml) ------------------------------------------------

class TextBlock(Schema):
    """`- text: MARKDOWN`: paragraphs, lists, tables, quotes, images and footnotes."""

    text: Text


class SourceBlock(Schema):
    """`- source: NAME`: data from the content files, shown as the source shows it."""

    source: Text = Field(description="members, organizations.ROLE, areas, areas.NAME, contact, links, ...")
    caption: Text | None = Field(None, description="A table's caption (members)")
    columns: Literal[1, 2] | None = Field(None, description="Print a list in 1 or 2 columns")
    roles: list[Text] | None = Field(None, description="members: the roles shown as columns")
    only: list[Acronym] | None = Field(None, description="organizations: just these, in this order")


class BoxContent(Schema):
    title: Text
    text: Text


class BoxBlock(Schema):
    """`- box: {title: ..., text: MARKDOWN}`: a key-messages or summary box."""

    box: BoxContent


def _block_kind(value) -> str:
    if isinstance(value, BaseModel):
        return {TextBlock: "text", SourceBlock: "source", BoxBlock: "box"}[type(value)] + " block"
    if isinstance(value, dict):
        for key in ("source", "box", "text"):
            if key in value:
                return f"{key} block"
    return "text block"


# A block is checked against the one shape its key names, so that a mistake reads
# "box.title: required field is missing", not a complaint about each of the three shapes.
Block = Annotated[
    Union[Annotated[TextBlock, Tag("text block")], Annotated[SourceBlock, Tag("source block")],
          Annotated[BoxBlock, Tag("box block")]],
    Discriminator(_block_kind),
]


class Section(Schema):
    """A section of the report: a heading, a body and sub-sections (down to level 3)."""

    title: Text | None = Field(None, description="The heading")
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")] | None = Field(
        None, description="Anchor and slide source name; made from the title otherwise")
    starts_page: bool = Field(False, description="Print starts the section on a new page")
    body: list[Block] = Field(default_factory=list,
                              description="Markdown, or a list of blocks (text, source, box)")
    sections: list[Section] = Field(default_factory=list, description="Sub-sections, same shape")
    source: Text | None = Field(None, description="Instead of a title: `areas`, one sub-section per key area")

    @field_validator("body", mode="before")
    @classmethod
    def _markdown(cls, value):
        # `body: MARKDOWN` is short for `body: [text: MARKDOWN]`.
        return [{"text": value}] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _title_or_source(self):
        if self.source is None and self.title is None:
            raise ValueError("a section needs a `title` (or `source: areas`)")
        if self.source is not None and (self.title or self.body or self.sections):
            raise ValueError("a `source:` entry stands alone: it gives its sections' titles and bodies")
        return self


class Report(Schema):
    output: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] = Field(
        description="Base name of the report's files: NAME.pdf, NAME.docx, NAME.html")
    sections: Annotated[list[Section], Field(min_length=1)] = Field(description="The sections, in order")


def _in(file: str, description: str) -> dict:
    return {"description": description, "json_schema_extra": {"file": file}}


class Content(Schema):
    """Everything under content/, merged: each top-level key lives in the file named below."""

    title: Text = Field(**_in("document.yaml", "Title of the publication"))
    subtitle: Text | None = Field(None, **_in("document.yaml", "Subtitle on the cover"))
    short_title: Text | None = Field(None, **_in("document.yaml", "Short title for running headers"))
    publisher: Text = Field(**_in("document.yaml", "Acronym or short name of the publisher"))
    publisher_name: Text = Field(**_in("document.yaml", "Full name of the publisher"))
    coordinator: Acronym | None = Field(None, **_in("document.yaml", "Acronym of the coordinating agency"))
    date: dt.date = Field(**_in("document.yaml", "Date of publication, YYYY-MM-DD"))
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] = Field(
        **_in("document.yaml", "Language code such as en or fr"))
    description: Text = Field(**_in("document.yaml", "One-paragraph description (file properties)"))
    keywords: TextList = Field(**_in("document.yaml", "Keywords for the file properties"))
    labels: Labels = Field(default_factory=lambda: Labels.model_validate({}),
                           **_in("document.yaml", "The layouts' fixed words (defaults in English)"))
    cover_image: Image | None = Field(None, **_in("document.yaml", "A picture on the cover, with its alt text"))
    logo: Image | None = Field(None, **_in("document.yaml", "The publisher's emblem on the cover, with its alt text"))
    series: Text | None = Field(None, **_in("document.yaml", "The series, e.g. Issue brief"))
    number: Text | None = Field(None, **_in("document.yaml", "The number in the series, e.g. 03"))
    imprint: Imprint | None = Field(None, **_in("document.yaml", "The imprint page after the cover"))
    report: Report = Field(**_in("report.yaml", "The report's outline: its sections, in order"))
    roles: dict[str, Text] = Field(default_factory=dict, **_in(
        "organizations.yaml", "What each role means, as the member table's columns say it"))
    organizations: list[Organization] = Field(default_factory=list, **_in(
        "organizations.yaml", "Every organization, defined once"))
    areas: list[Area] = Field(default_factory=list, **_in("areas.yaml", "The key areas"))
    contact: Contact | None = Field(None, **_in("contact.yaml", "Contact details"))
    links: list[Link] = Field(default_factory=list, **_in("contact.yaml", "Further material"))
    handout: Deck = Field(**_in("handout.yaml", "The slide handout"))
    meeting: Meeting | None = Field(None, **_in("meeting.yaml", "The meeting the outputs are for (optional)"))

    @property
    def running_title(self) -> str:
        return self.short_title or self.title

    # -- lookups used by every renderer --------------------------------------------------
    def organization(self, acronym: str) -> Organization:
        return next(o for o in self.organizations if o.acronym == acronym)

    def with_role(self, role: str) -> list[Organization]:
        return [o for o in self.organizations if role in o.roles]

    def named(self, acronyms: list[str]) -> list[Organization]:
        return [self.organization(a) for a in acronyms]


def slug(text: str) -> str:
    """An id for any script: Latin letters folded to ASCII, other letters kept (HTML ids may
    be any Unicode; Word bookmarks are made separately)."""
    import unicodedata
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", "-", kept).strip("-_") or "section"


# -- validation -----------------------------------------------------------------------

_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "text", bool: "yes/no", int: "a number",
               float: "a number", type(None): "nothing"}
_EXPECTED = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping",
             "model_type": "a mapping", "model_attributes_type": "a mapping",
             "date_type": "a date (YYYY-MM-DD)", "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
             "date_parsing": "a date (YYYY-MM-DD)", "literal_error": None, "bool_type": "yes or no",
             "bool_parsing": "yes or no"}


def _got(value) -> str:
    if hasattr(value, "isoformat"):
        return "a date"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _fields_at(loc: tuple) -> list[str]:
    """The declared field names of the model at loc, for 'did you mean'."""
    model: type[BaseModel] | None = Content
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = _model_of(field.annotation)
    return list(model.model_fields) if model else []


def _model_of(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found:
            return found
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not list:
        return _model_of(origin)
    return None


def _clean_loc(loc: tuple, kind: str | None = None) -> tuple:
    """pydantic's location without the names of union members it tried (str, list[...], ...).
    The last part of an unknown key's location is the key as the user wrote it, kept whatever
    it holds (a key "[" or "my key" is not a union member)."""
    last = loc[-1:] if kind == "extra_forbidden" else ()
    body = loc[:-1] if last else loc
    return tuple(p for p in body if isinstance(p, int) or not (
        p in ("function-after", "function-before", "function-wrap") or "[" in p or " " in p)) + last


def _message(error: dict) -> tuple[tuple, str]:
    loc, kind = _clean_loc(tuple(error["loc"]), error["type"]), error["type"]
    if kind == "missing":
        field = Content.model_fields.get(loc[0]) if len(loc) == 1 else None
        where = f" (expected in {field.json_schema_extra['file']})" if field and field.json_schema_extra else ""
        return loc, f"required field is missing{where}"
    if kind == "extra_forbidden":
        key = loc[-1]
        close = difflib.get_close_matches(str(key), _fields_at(loc[:-1]), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return loc, f"unknown field '{key}'{hint}"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return loc, f"'{error['input']}' is not allowed here; expected one of {allowed}"
    if kind == "too_short":
        return loc, "must not be empty" if isinstance(error["input"], list) else "must not be empty text"
    if kind == "string_too_short":
        return loc, "must not be empty text"
    if kind.startswith("date") and isinstance(error["input"], str):
        why = error.get("ctx", {}).get("error", "")
        why = f" ({why})" if why and "invalid character" not in why else ""
        return loc, f"'{error['input']}' is not a date{why}; write it as YYYY-MM-DD, e.g. 2010-12-13"
    if kind in _EXPECTED:
        return loc, f"expected {_EXPECTED[kind]}, got {_got(error['input'])}"
    if kind == "value_error":
        return loc, str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return loc, f"'{error['input']}' is not in the expected form"
    return loc, error["msg"]


def _at(data, path: tuple):
    value = data
    for part in path:
        if isinstance(part, int) and isinstance(value, list) and part < len(value):
            value = value[part]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _references(raw: RawContent) -> list[Problem]:
    """Organizations named by acronym must be defined, each only once; areas named once;
    roles defined. Works on the raw data, tolerating any shape, so that these problems are
    reported together with schema problems rather than after they are fixed."""
    data, problems = raw.data, []

    def problem(path: tuple, message: str) -> None:
        problems.append(Problem(raw.locate(path), format_path(path), message))

    known: dict[str, int] = {}
    orgs = _at(data, ("organizations",))
    for i, org in enumerate(orgs if isinstance(orgs, list) else []):
        acronym = org.get("acronym") if isinstance(org, dict) else None
        if not isinstance(acronym, str):
            continue
        acronym = acronym.strip()
        if acronym in known:
            problem(("organizations", i, "acronym"),
                    f"'{acronym}' is already defined as organizations[{known[acronym]}]")
        known.setdefault(acronym, i)
        roles, defined = org.get("roles"), _at(data, ("roles",))
        if isinstance(roles, list) and isinstance(defined, dict):
            for j, role in enumerate(roles):
                if isinstance(role, str) and role not in defined:
                    close = difflib.get_close_matches(role, list(defined), n=1, cutoff=0.5)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    problem(("organizations", i, "roles", j),
                            f"unknown role '{role}' (not in `roles` of organizations.yaml){hint}")

    def check(path: tuple) -> None:
        acronym = _at(data, path)
        if not isinstance(acronym, str) or acronym.strip() in known:
            return
        close = difflib.get_close_matches(acronym, list(known), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        where = "not in organizations.yaml" if known else "there is no organizations.yaml"
        problem(path, f"unknown organization '{acronym}' ({where}){hint}")

    check(("coordinator",))
    check(("contact", "organization"))
    seen: dict[str, int] = {}
    areas = _at(data, ("areas",))
    for i, area in enumerate(areas if isinstance(areas, list) else []):
        name = area.get("name") if isinstance(area, dict) else None
        if isinstance(name, str) and name.strip():
            if slug(name) in seen:
                problem(("areas", i, "name"), f"area '{name}' is already given as areas[{seen[slug(name)]}]")
            seen.setdefault(slug(name), i)
    return problems


def build(raw: RawContent) -> Content:
    """Validate raw content into the model, or raise ContentError listing every problem."""
    problems = _references(raw)
    try:
        content = Content.model_validate(raw.data)
    except ValidationError as error:
        errors = error.errors()
        # A misspelt key gives "unknown field 'nmae'; did you mean 'name'?" and "name: missing";
        # the first says it all.
        suggested = set()
        for item in errors:
            if item["type"] == "extra_forbidden":
                loc = _clean_loc(tuple(item["loc"]), item["type"])
                for close in difflib.get_close_matches(str(loc[-1]), _fields_at(loc[:-1]), n=1, cutoff=0.6):
                    suggested.add(loc[:-1] + (close,))
        for item in _unique(errors):
            if item["type"] == "missing" and _clean_loc(tuple(item["loc"])) in suggested:
                continue
            loc, message = _message(item)
            where = raw.locate(loc) if item["type"] != "missing" else raw.locate(loc[:-1])
            if item["type"] == "missing" and len(loc) == 1:
                where = raw.files.get(loc[0]) or _default_file(loc[0], raw)
            problems.append(Problem(where, format_path(loc), message))
        raise ContentError(problems, partial=_without_mistakes(raw.data, errors)) from None
    problems += _office_limits(content, raw)
    if problems:
        raise ContentError(problems)
    return content


# Word and PowerPoint keep a file's title, subject, author, keywords and comments in core
# properties of at most 255 characters each (python-docx and python-pptx refuse longer ones).
OFFICE_LIMIT = 255


def _office_limits(content: Content, raw: RawContent) -> list[Problem]:
    from .inline import plain
    fields = [(("title",), plain(content.title), "the title"),
              (("subtitle",), plain(content.subtitle or ""), "the subtitle"),
              (("description",), plain(content.description), "the description"),
              (("keywords",), "; ".join(content.keywords), "the keywords, joined with '; '"),
              (("publisher_name",), f"{plain(content.publisher_name)} ({content.publisher})",
               "the publisher's name and acronym"),
              (("handout", "title"), plain(content.handout.title), "the deck's title")]
    return [Problem(raw.locate(path), format_path(path),
                    f"{what} takes {len(text)} characters; Word and PowerPoint keep at most "
                    f"{OFFICE_LIMIT} in a file's properties: shorten it")
            for path, text, what in fields if len(text) > OFFICE_LIMIT]


def _without_mistakes(data: dict, errors: list[dict], rounds: int = 8) -> Content | None:
    """The content with each wrong value left out (an optional field dropped, a list item
    removed), so that the later checks (the outline, the deck, the images) can still run and
    every problem is told at once. None when too much is wrong for that."""
    import copy
    data = copy.deepcopy(data)
    for _ in range(rounds):
        for item in errors:
            if not _drop(data, _clean_loc(tuple(item["loc"]), item["type"])):
                return None
        data = _purge(data)
        try:
            return Content.model_validate(data)
        except ValidationError as error:
            errors = error.errors()
    return None


def _drop(data, loc: tuple) -> bool:
    """Remove the value at loc, or the nearest enclosing value that can go: a field that is
    not required, or an item of a list. False when only a required top-level field is left."""
    for end in range(len(loc), 0, -1):
        parent, key = _at(data, loc[:end - 1]), loc[end - 1]
        if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
            parent[key] = _GONE  # removed after this round, so that later indexes still hold
            return True
        if isinstance(parent, dict) and key in parent and not _required(loc[:end]):
            del parent[key]
            return True
    return False


_GONE = object()


def _purge(value):
    if isinstance(value, dict):
        return {k: _purge(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_purge(v) for v in value if v is not _GONE]
    return value


def _required(loc: tuple) -> bool:
    """Whether the field at loc is declared as required (list indexes passed over)."""
    model: type[BaseModel] | None = Content
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return False
        field = model.model_fields[part]
        model = _model_of(field.annotation)
    return field is not None and field.is_required()


def _unique(errors: list[dict]) -> list[dict]:
    """One error per place and message (a union may fail the same way twice)."""
    seen, out = set(), []
    for item in errors:
        key = (_clean_loc(tuple(item["loc"]), item["type"]), item["type"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _default_file(key: str, raw: RawContent) -> Location:
    field = Content.model_fields[key]
    file = (field.json_schema_extra or {}).get("file", "")
    some = next(iter(raw.files.values()), Location("content"))
    folder = some.file.rsplit("/", 1)[0] if "/" in some.file else "content"
    return Location(f"{folder}/{file}")
