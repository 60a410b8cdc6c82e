"""The output formats, each behind one small contract: name, output files, render(job).

Renderers are imported only when their format is asked for, so `build.py check` and a
one-format build stay quick.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .job import Job


@dataclass(frozen=True)
class Builder:
    name: str
    outputs: tuple[str, ...]
    description: str
    renderer: str  # "module:function", the function taking a Job and returning {name: bytes}

    def render(self, job: Job) -> dict[str, bytes]:
        module, function = self.renderer.split(":")
        files = getattr(importlib.import_module(module, __package__), function)(job)
        assert set(files) == set(self.outputs), f"{self.name} rendered {sorted(files)}"
        return files


BUILDERS: dict[str, Builder] = {b.name: b for b in (
    Builder("pdf", ("analytical-review.pdf",), "the analytical review summary as PDF",
            ".render.pdf:render"),
    Builder("docx", ("analytical-review.docx",), "the analytical review summary as Word",
            ".render.word:render"),
    Builder("html", ("analytical-review.html",), "the analytical review summary as one HTML page",
            ".render.html:render"),
    Builder("handout", ("handout-slides.pdf", "handout-notes.pdf", "handout.pptx"),
            "the side-event slides (PDF, PowerPoint) and the printed notes handout",
            ".render.handout:render"),
)}
