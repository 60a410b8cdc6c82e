"""python-docx's and python-pptx's XML lookups to XPath expressions compiled once each.

Both libraries find elements with `element.xpath("./w:pPr/w:spacing")`, which lxml parses
afresh on every call (python-docx issue #342): some 2,100 calls and a tenth of the Word and
PowerPoint renders here, of only 60 different expressions. `compile_xpaths()` makes a
library's `xpath` method run an `etree.XPath` compiled on first use and kept. The results are
the same objects, so the files are byte-identical.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from lxml import etree


def _compiled_xpath(original, namespaces: dict[str, str]):
    compiled = lru_cache(maxsize=None)(lambda expression: etree.XPath(expression, namespaces=namespaces))

    def xpath(self, expression: str):
        return compiled(expression)(self)
    xpath.original, xpath.expressions = original, compiled  # for the tests
    return xpath


# The element base class of each library and its namespace prefixes.
_LIBRARIES = {"docx": ("docx.oxml.xmlchemy", "docx.oxml.ns", "nsmap"),
              "pptx": ("pptx.oxml.xmlchemy", "pptx.oxml.ns", "_nsmap")}


def compile_xpaths(library: str) -> None:
    """Patch the library's ("docx" or "pptx") element base class; once is enough."""
    elements, names, prefixes = _LIBRARIES[library]
    element = importlib.import_module(elements).BaseOxmlElement
    if not hasattr(element.xpath, "original"):
        # The library's own dict, not a copy: a prefix it registers later is still found.
        element.xpath = _compiled_xpath(element.xpath, getattr(importlib.import_module(names), prefixes))
