"""The declared content schema to a plain-text reference for editors (`build.py schema`)."""

from __future__ import annotations

import datetime as dt
import types
import typing

from pydantic import BaseModel

from .model import Content, Labels, Section, default_labels

# The block shapes of a body, by the key that names each.
_SHAPE_NAMES = {"TextBlock": "`- text: ...`", "SourceBlock": "`- source: ...`", "BoxBlock": "`- box: ...`"}


def _describe(annotation) -> tuple[str, list[type[BaseModel]]]:
    """A short English name for a field's type, and the models to list below it."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _describe(args[0])
    if origin in (typing.Union, types.UnionType):
        described = [_describe(a) for a in args if a is not type(None)]
        models = [m for _, ms in described for m in ms]
        kinds = [kind for kind, _ in described]
        if len(models) > 1:
            kinds = [_SHAPE_NAMES.get(m.__name__, m.__name__) for m in models]
        return " or ".join(dict.fromkeys(kinds)), models
    if origin is list:
        inner, models = _describe(args[0])
        return f"list of {inner}", models
    if origin is dict:
        inner, models = _describe(args[1])
        return f"mapping of names to {inner}", models
    if origin is typing.Literal:
        return "one of " + ", ".join(map(str, args)), []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping", [annotation]
    if annotation is int:
        return "number", []
    if annotation is bool:
        return "yes or no", []
    if annotation is dt.date:
        return "date (YYYY-MM-DD)", []
    return "text", []


def schema_text() -> str:
    lines = ["The content schema. Each top-level field lives in the content file named beside it.",
             "Text may use *emphasis*, **strong** and [links](https://...); a section's body is Markdown.",
             ""]
    shown: set[type[BaseModel]] = set()

    def walk(model: type[BaseModel], depth: int) -> None:
        shown.add(model)
        for name, field in model.model_fields.items():
            kind, subs = _describe(field.annotation)
            if model is Section and name == "body":
                kind = f"Markdown text, or {kind}"
            required = "required" if field.is_required() else "optional"
            if model is Labels:
                required = f"default {default_labels()[name]!r}"
            extra = field.json_schema_extra or {}
            where = f"  [{extra['file']}]" if isinstance(extra, dict) and "file" in extra else ""
            note = f"  {field.description}" if field.description else ""
            lines.append(f"{'  ' * depth}{name}: {kind}, {required}{where}{note}")
            for sub in subs:
                if sub in shown:
                    lines.append(f"{'  ' * (depth + 1)}(the same fields as above)")
                    continue
                if len(subs) > 1:
                    lines.append(f"{'  ' * (depth + 1)}{_SHAPE_NAMES.get(sub.__name__, sub.__name__)}:")
                walk(sub, depth + 1 + (len(subs) > 1))

    walk(Content, 0)
    return "\n".join(lines) + "\n"
