"""Content model to the report as one self-contained HTML page (styles inlined, no requests).

The PDF renderer prints this same page, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field

from markupsafe import Markup

from ..assets import image_kind
from ..job import Job
from ..model import Content
from ..templating import environment

log = logging.getLogger(__name__)

OUTPUT = "analytical-review.html"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    children: list["Entry"] = field(default_factory=list)


def outline(c: Content) -> list[Entry]:
    """The table of contents: the report's sections and subsections, in order."""
    labels = c.labels
    return [
        Entry("about", labels.about, [Entry("history", labels.history),
                                      Entry("establishment", labels.establishment),
                                      Entry("functions", labels.functions),
                                      Entry("members", labels.members)]),
        Entry("publication", labels.publication, [Entry("contributors", labels.contributors),
                                                  Entry("launch", labels.launch)]),
        Entry("key-areas", labels.key_areas, [Entry(a.id, a.name) for a in c.areas]),
        Entry("global-plan", labels.global_plan),
        Entry("contact", labels.contact),
        Entry("colophon", labels.colophon),
    ]


def data_uri(data: bytes) -> str:
    """An image inlined into the page, which must make no request of its own."""
    return f"data:image/{image_kind(data)};base64,{base64.b64encode(data).decode('ascii')}"


def report_html(job: Job) -> str:
    """The report page as text; computed once per job and shared with the PDF renderer."""
    def make() -> str:
        env = environment(job.templates)
        context = {"c": job.content, "t": job.theme, "built": job.built, "version": job.version,
                   "outline": outline(job.content), "image_src": lambda file: data_uri(job.images[file])}
        # Safe to inline: the stylesheet is ours, and content reaches it only via css_string.
        context["css"] = Markup(env.get_template("report.css").render(context))
        return env.get_template("report.html").render(context)
    return job.once("report.html", make)


def render(job: Job) -> dict[str, bytes]:
    return {OUTPUT: report_html(job).encode("utf-8")}
