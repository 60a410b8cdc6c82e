"""Raw content to the typed, validated report model. Format-neutral; no I/O.

The schema is declared as pydantic models. Validation collects every problem, maps each to
the file and line it came from, and raises one ContentError.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import (BaseModel, Field, StringConstraints, ValidationError,
                      field_validator)

from .deck import Deck, check as check_deck
from .fields import Schema, Text
from .inline import safe_url
from .loader import RawContent
from .problems import ContentError, Problem, format_path

Acronym = Text  # an organization's acronym, defined in organizations.yaml
TextList = Annotated[list[Text], Field(min_length=1)]
Role = Literal["member", "contributor", "panel"]


class Labels(Schema):
    """Headings and fixed words of the layouts."""

    contents: Text
    about: Text
    history: Text
    establishment: Text
    functions: Text
    members: Text
    members_caption: Text
    acronym: Text
    organization: Text
    contributor: Text
    panel: Text
    yes: Text
    publication: Text
    provides: Text
    contributors: Text
    launch: Text
    panel_members: Text
    key_areas: Text
    gaps: Text
    recommendations: Text
    global_plan: Text
    contact: Text
    telephone: Text
    fax: Text
    email: Text
    links: Text
    colophon: Text
    built: Text
    version: Text
    generator: Text
    page: Text
    of: Text
    skip: Text


class Organization(Schema):
    acronym: Acronym
    name: Text
    roles: list[Role] = Field(default_factory=list)


class History(Schema):
    meeting: Text
    participants: Annotated[list[Acronym], Field(min_length=1)]
    participants_intro: Text
    proposal: Text


class Establishment(Schema):
    resolution: Text
    resolution_title: Text
    text: Text


class About(Schema):
    history: History
    establishment: Establishment
    aim: Text
    coordination: Text
    functions: TextList


class GlobalPlan(Schema):
    title: Text
    symbol: Text
    intro: Text
    points: TextList


class Publication(Schema):
    summary: Text
    provides_intro: Text
    provides: TextList
    areas_intro: Text
    contributors_intro: Text
    launch: Text
    panel_intro: Text


class Area(Schema):
    name: Text
    gaps: TextList
    recommendations: TextList

    @property
    def id(self) -> str:
        return slug(self.name)


class Contact(Schema):
    intro: Text
    unit: Text
    organization: Acronym
    address: TextList
    telephone: Text
    fax: Text
    email: Text

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("expected an e-mail address such as name@example.org")
        return value


IMAGE_TYPES = (".png", ".jpg", ".jpeg")


class Image(Schema):
    """A picture from the content folder, with the text a screen reader says for it."""

    file: Text
    alt: Text

    @field_validator("file")
    @classmethod
    def _inside_content(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
            raise ValueError("expected a file in the content folder, such as images/cover.png, not an address")
        if path.is_absolute():
            raise ValueError("expected a file inside the content folder, not an absolute path")
        if ".." in path.parts:
            raise ValueError("'..' is not allowed: the file must be inside the content folder")
        if path.suffix.lower() not in IMAGE_TYPES:
            raise ValueError(f"expected a {' or '.join(IMAGE_TYPES)} image, got '{path.name}'")
        return str(path)


class Link(Schema):
    label: Text
    url: Text

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not safe_url(value) or not re.match(r"(?i)(https?://[^\s/]+|mailto:[^\s]+@)", value):
            raise ValueError("expected a web address starting with https:// or http://, or mailto:")
        return value


def _in(file: str, description: str) -> dict:
    return {"description": description, "json_schema_extra": {"file": file}}


class Content(Schema):
    """Everything under content/, merged: each top-level key lives in the file named below."""

    title: Text = Field(**_in("document.yaml", "Title of the publication summarised"))
    subtitle: Text = Field(**_in("document.yaml", "Subtitle on the cover"))
    short_title: Text = Field(**_in("document.yaml", "Short title for running headers"))
    publisher: Acronym = Field(**_in("document.yaml", "Acronym of the publisher"))
    publisher_name: Text = Field(**_in("document.yaml", "Full name of the publisher"))
    coordinator: Acronym = Field(**_in("document.yaml", "Acronym of the coordinating agency"))
    date: dt.date = Field(**_in("document.yaml", "Date of publication, YYYY-MM-DD"))
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] = Field(
        **_in("document.yaml", "Language code such as en or fr"))
    description: Text = Field(**_in("document.yaml", "One-paragraph description (file properties)"))
    keywords: TextList = Field(**_in("document.yaml", "Keywords for the file properties"))
    labels: Labels = Field(**_in("document.yaml", "Headings and fixed words of the layouts"))
    organizations: Annotated[list[Organization], Field(min_length=1)] = Field(
        **_in("organizations.yaml", "Every organization, defined once"))
    about: About = Field(**_in("icat.yaml", "About ICAT"))
    global_plan: GlobalPlan = Field(**_in("icat.yaml", "ICAT and the Global Plan of Action"))
    publication: Publication = Field(**_in("publication.yaml", "The publication"))
    areas: Annotated[list[Area], Field(min_length=1)] = Field(**_in("areas.yaml", "The key areas"))
    contact: Contact = Field(**_in("contact.yaml", "Contact details"))
    links: list[Link] = Field(default_factory=list, **_in("contact.yaml", "Further material"))
    cover_image: Image | None = Field(None, **_in("document.yaml", "A picture on the cover, with its alt text"))
    handout: Deck = Field(**_in("handout.yaml", "The slide handout"))

    # -- lookups used by every renderer --------------------------------------------------
    def organization(self, acronym: str) -> Organization:
        return next(o for o in self.organizations if o.acronym == acronym)

    def with_role(self, role: str) -> list[Organization]:
        return [o for o in self.organizations if role in o.roles]

    @property
    def members(self) -> list[Organization]:
        return self.with_role("member")

    @property
    def contributors(self) -> list[Organization]:
        return self.with_role("contributor")

    @property
    def panel(self) -> list[Organization]:
        return self.with_role("panel")

    def named(self, acronyms: list[str]) -> list[Organization]:
        return [self.organization(a) for a in acronyms]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


# -- validation -----------------------------------------------------------------------

_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "text", bool: "yes/no", int: "a number",
               float: "a number", type(None): "nothing"}
_EXPECTED = {"string_type": "text", "list_type": "a list", "dict_type": "a mapping",
             "model_type": "a mapping", "model_attributes_type": "a mapping",
             "date_type": "a date (YYYY-MM-DD)", "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
             "date_parsing": "a date (YYYY-MM-DD)", "literal_error": None}


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


def _message(error: dict, raw: RawContent) -> tuple[tuple, str]:
    loc, kind = tuple(error["loc"]), error["type"]
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
    if kind in _EXPECTED:
        return loc, f"expected {_EXPECTED[kind]}, got {_got(error['input'])}"
    if kind == "value_error":
        return loc, str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return loc, f"'{error['input']}' is not in the expected form"
    return loc, error["msg"]


def _references(raw: RawContent) -> list[Problem]:
    """Organizations named by acronym must be defined, each only once; areas named once.

    Works on the raw data, tolerating any shape, so that these problems are reported together
    with schema problems rather than after they are fixed.
    """
    data, problems = raw.data, []

    def at(path: tuple):
        value = data
        for part in path:
            if isinstance(part, int) and isinstance(value, list) and part < len(value):
                value = value[part]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return None
        return value

    def problem(path: tuple, message: str) -> None:
        problems.append(Problem(raw.locate(path), format_path(path), message))

    known: dict[str, int] = {}
    for i, org in enumerate(at(("organizations",)) or []):
        acronym = org.get("acronym") if isinstance(org, dict) else None
        if not isinstance(acronym, str):
            continue
        acronym = acronym.strip()
        if acronym in known:
            problem(("organizations", i, "acronym"),
                    f"'{acronym}' is already defined as organizations[{known[acronym]}]")
        known.setdefault(acronym, i)

    def check(path: tuple) -> None:
        acronym = at(path)
        if not known or not isinstance(acronym, str) or acronym.strip() in known:
            return
        close = difflib.get_close_matches(acronym, list(known), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        problem(path, f"unknown organization '{acronym}' (not in organizations.yaml){hint}")

    check(("coordinator",))
    check(("contact", "organization"))
    participants = at(("about", "history", "participants"))
    for i in range(len(participants) if isinstance(participants, list) else 0):
        check(("about", "history", "participants", i))
    seen: dict[str, int] = {}
    areas = at(("areas",))
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
                loc = tuple(item["loc"])
                for close in difflib.get_close_matches(str(loc[-1]), _fields_at(loc[:-1]), n=1, cutoff=0.6):
                    suggested.add(loc[:-1] + (close,))
        for item in errors:
            if item["type"] == "missing" and tuple(item["loc"]) in suggested:
                continue
            loc, message = _message(item, raw)
            where = raw.locate(loc) if item["type"] != "missing" else raw.locate(loc[:-1])
            if item["type"] == "missing" and len(loc) == 1:
                where = raw.files.get(loc[0]) or _default_file(loc[0], raw)
            problems.append(Problem(where, format_path(loc), message))
        raise ContentError(problems) from None
    problems += check_deck(content, raw)
    if problems:
        raise ContentError(problems)
    return content


def _default_file(key: str, raw: RawContent):
    from .problems import Location
    field = Content.model_fields[key]
    file = (field.json_schema_extra or {}).get("file", "")
    some = next(iter(raw.files.values()), Location("content"))
    folder = some.file.rsplit("/", 1)[0] if "/" in some.file else "content"
    return Location(f"{folder}/{file}")
