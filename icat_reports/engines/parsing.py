"""Our pages' HTML to the element tree WeasyPrint lays out, parsed as XML where that is the same.

WeasyPrint parses HTML with tinyhtml5, a pure-Python HTML5 parser: 30 ms for the report page
and 40 ms for the handout's two, in every build. The templates write well-formed markup
(void elements closed, `<meta ... />`) and escape all content, so Python's XML parser (expat,
in C, under 1 ms) reads them into the same tree. HTML5 differs from XML only where it mends
markup; `parse` takes the XML tree only when none of that applies and gives it the HTML5
parser's whitespace (none before <head>; what follows </body> ends the body). Anything else,
a template edited into markup only HTML5 reads, goes to tinyhtml5 as before: slower, never
different. tests/test_parsing.py compares the two parsers on every page the templates make.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET

import cssselect2
import tinyhtml5

from .weasy import HTML
from weasyprint import _find_base_url  # noqa: E402  (after ..weasy, which imports WeasyPrint)

log = logging.getLogger(__name__)

# Where HTML5 moves or adds elements to a well-formed page: the tree builder's table modes,
# a <p> or heading closed by a block, <head> closed by a body element, foreign content.
_CHILDREN = {"table": {"caption", "colgroup", "thead", "tbody", "tfoot"},
             "thead": {"tr"}, "tbody": {"tr"}, "tfoot": {"tr"}, "tr": {"td", "th"},
             "colgroup": {"col"}, "head": {"meta", "title", "style", "link", "base"}}
_CLOSES_P = {"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl",
             "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
             "h6", "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "search",
             "section", "table", "ul", "listing", "plaintext", "xmp", "li", "dd", "dt"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Closed by a start tag of these inside it (conservatively: at any depth; <li> within its own
# list only, since lists nest).
_NESTING = {"a": {"a"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "p": _CLOSES_P,
            **{h: _HEADINGS for h in _HEADINGS}}
# Elements HTML5 parses by rules of their own (foreign content, forms, scripting).
_OWN_RULES = {"svg", "math", "template", "noscript", "script", "frameset", "frame", "textarea",
              "select", "option", "optgroup", "button", "form", "iframe", "object", "image",
              "isindex", "nobr", "font", "ruby", "rb", "rp", "rt", "rtc"}
# Read differently: character references in raw text (<style>), whitespace kept in attribute
# values (XML turns a newline into a space), CDATA sections and processing instructions.
_READ_APART = re.compile(r"<style\b[^>]*>[^<]*&|\s[\w:.-]+\s*=\s*\"[^\"<>]*[\t\n\r]|<!\[CDATA\[|<\?",
                         re.IGNORECASE)


def parse(html: str) -> ET.Element:
    """The page's <html> element, as tinyhtml5.parse(html, namespace_html_elements=False) gives it."""
    root = _as_xml(html)
    if root is None:
        log.debug("page parsed as HTML5: not markup the XML parser reads the same")
        return tinyhtml5.parse(html, namespace_html_elements=False)
    return root


def page(source: str | ET.Element, base_url: str, url_fetcher) -> HTML:
    """WeasyPrint's document for the page, as HTML(string=source, ...) but parsed by `parse`
    (or a tree `parse` made)."""
    document = HTML(string="<html></html>", base_url=base_url, url_fetcher=url_fetcher)
    root = parse(source) if isinstance(source, str) else source
    # What HTML.__init__ derives from the tree (WeasyPrint 70), for this tree; base_url is
    # the one it made a URL of.
    document.base_url = _find_base_url(root, document.base_url)
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


def _as_xml(html: str) -> ET.Element | None:
    if _READ_APART.search(html):
        return None
    builder = ET.TreeBuilder(insert_comments=True)
    parser = ET.XMLParser(target=builder)
    try:
        parser.feed(html)
        root = parser.close()
    except ET.ParseError:
        return None
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"] or _mended(root):
        return None
    head, body = root
    if (root.text or "").strip() or (head.tail or "").strip() or (body.tail or "").strip():
        return None
    # HTML5 drops the whitespace before <head> and puts what follows </body> and </html>
    # at the end of the body.
    root.text = None
    after = (body.tail or "") + html[html.rindex(">") + 1:]
    body.tail = None
    if after:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + after
        else:
            body.text = (body.text or "") + after
    return root


def _mended(root: ET.Element) -> bool:
    """Whether HTML5 would build this tree differently from the XML parser."""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # a comment
            continue
        if tag in _OWN_RULES or tag != tag.lower() or ":" in tag or "{" in tag:
            return True
        if any(name != name.lower() or ":" in name for name in element.attrib):
            return True
        allowed = _CHILDREN.get(tag)
        if allowed is not None and ((element.text or "").strip() or any(
                isinstance(child.tag, str) and child.tag not in allowed or (child.tail or "").strip()
                for child in element)):
            return True
        closed_by = _NESTING.get(tag)
        if closed_by and any(inner.tag in closed_by for inner in element.iter() if inner is not element):
            return True
        if tag == "li" and _has_item_outside_a_list(element):
            return True
        if tag in ("pre", "listing") and (element.text or "").startswith("\n"):
            return True
    return False


def _has_item_outside_a_list(element: ET.Element) -> bool:
    for child in element:
        if child.tag == "li" or child.tag not in ("ul", "ol") and _has_item_outside_a_list(child):
            return True
    return False
