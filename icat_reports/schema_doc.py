"""The declared content schema to a plain-text reference for editors (`build.py schema`)."""

from __future__ import annotations

import datetime as dt
import types
import typing

from pydantic import BaseModel

from .model import Content


def _describe(annotation) -> tuple[str, type[BaseModel] | None]:
    """A short English name for a field's type, and the model to list below it, if any."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _describe(args[0])
    if origin in (typing.Union, types.UnionType):
        described = [_describe(a) for a in args if a is not type(None)]
        model = next((m for _, m in described if m is not None), None)
        return " or ".join(dict.fromkeys(kind for kind, _ in described)), model
    if origin is list:
        inner, model = _describe(args[0])
        return f"list of {inner}", model
    if origin is typing.Literal:
        return "one of " + ", ".join(map(str, args)), None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping", annotation
    if annotation is int:
        return "number", None
    if annotation is dt.date:
        return "date (YYYY-MM-DD)", None
    return "text", None


def schema_text() -> str:
    lines = ["The content schema. Each top-level field lives in the content file named beside it.",
             "Text may use *emphasis*, **strong** and [links](https://...).", ""]

    def walk(model: type[BaseModel], depth: int) -> None:
        for name, field in model.model_fields.items():
            kind, sub = _describe(field.annotation)
            required = "required" if field.is_required() else "optional"
            extra = field.json_schema_extra or {}
            where = f"  [{extra['file']}]" if isinstance(extra, dict) and "file" in extra else ""
            note = f"  {field.description}" if field.description else ""
            lines.append(f"{'  ' * depth}{name}: {kind}, {required}{where}{note}")
            if sub is not None:
                walk(sub, depth + 1)

    walk(Content, 0)
    return "\n".join(lines) + "\n"
