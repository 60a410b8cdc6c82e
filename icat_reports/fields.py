"""The building blocks of every content schema (model.py, deck.py): one base, one text type."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Text as editors write it: trimmed, never empty, never a number or yes/no in disguise.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), Field(strict=True)]


class Schema(BaseModel):
    """Unknown keys are errors (with 'did you mean'); validated values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
