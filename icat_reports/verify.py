"""Built outputs, read back, against the document tree: proof that every output says the same.

Each text of the tree (headings, paragraphs, list items, table cells, notes, key areas'
items, the address) must be found in each report output (the HTML page, the PDF's text, the
Word file's XML), and each slide's texts in the slides PDF and the PowerPoint deck. A text
missing from an output is reported with the output, where it should be (the section; the
slide) and the content file and line it comes from. Texts are compared as a reader sees them:
case, quotes, dashes, hyphens and line breaks do not matter.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .problems import Location
from .tree import Document, plain, texts

_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'}


def normalize(text: str) -> str:
    """What is compared: letters and digits as read, nothing else."""
    text = unicodedata.normalize("NFKC", text)
    for old, new in _QUOTES.items():
        text = text.replace(old, new)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # soft hyphens, bidi marks
    return re.sub(r"[\s\-\u2010-\u2015\u00a0\u202f]+", "", text).casefold()


@dataclass(frozen=True)
class Text:
    text: str
    where: Location      # the content file and line it comes from
    place: str           # where it belongs in the outputs: a section's title, a slide
    parts: tuple[str, ...] = ()  # the runs between its footnote marks, each found on its own

    def found_in(self, haystack: str) -> bool:
        return all(normalize(part) in haystack for part in self.parts or (self.text,))


class Plain:
    """An output's text, read back: a text is found when it stands in it, as normalize sees both."""

    def __init__(self, text: str):
        self.haystack = normalize(text)

    def finds(self, t: Text) -> bool:
        return t.found_in(self.haystack)


class RightToLeft:
    """A right-to-left PDF's text, read back. poppler gives each right-to-left word's letters
    in reading order, but a line's words as they show, from the left, and where a line holds
    left-to-right runs (UNODC, A/RES/61/180) it may give its parts in another order; a table
    cell's second line may follow another cell's. So a text is found when each pair of its
    right-to-left words stands side by side in the PDF (or the first ends a line and the
    second starts one), and each of its left-to-right words is in it too."""

    def __init__(self, path: Path):
        raw = pdf_text(path)
        self.pairs: set[tuple[str, str]] = set()
        self.words: set[str] = set()
        self.ends: set[str] = set()
        self.starts: set[str] = set()
        previous = None
        for line in raw.splitlines():
            words = list(reversed(_rtl_words(line)))  # reading order
            if not words:
                continue
            self.words.update(words)
            self.pairs.update(zip(words, words[1:]))
            if previous is not None:
                self.pairs.add((previous, words[0]))
            self.starts.add(words[0])
            self.ends.add(words[-1])
            previous = words[-1]
        # Left-to-right words in either of poppler's orders: the raw one may split a symbol
        # (A/RES/61/180) where the bidi algorithm cut the line, the reading order a table cell.
        self.plain = normalize(raw) + "|" + normalize(pdf_text(path, reading_order=True))

    def finds(self, t: Text) -> bool:
        for part in t.parts or (t.text,):
            words = _rtl_words(part)
            if any(w not in self.words for w in words):
                return False
            if any((a, b) not in self.pairs and not (a in self.ends and b in self.starts)
                   for a, b in zip(words, words[1:])):
                return False
            # Split at slashes too: a line may break inside a symbol, whose halves then stand
            # at the two ends of a right-to-left line.
            latin = (normalize(w.strip(_AROUND)) for w in re.split(r"[\s/]+", normalize_spaces(part))
                     if not _RTL.search(w))
            if any(w not in self.plain for w in latin if w):
                return False
        return True


_AROUND = ".,;:!?()[]{}\"'“”‘’«»،؛؟"  # punctuation poppler may set on the other side of a word
_LAM_ALEF = re.compile("(\u0644)([\u0622\u0623\u0625\u0627])")
_RTL_RUN = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]+")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _rtl_words(text: str) -> list[str]:
    """The runs of right-to-left letters of text, in order: words, and the parts of a word
    joined by a slash or a hyphen, without the marks and punctuation around them."""
    # The lam-alef ligatures are one glyph each, which poppler reads back with their two
    # letters in the drawn order: either order stands for them.
    return [_LAM_ALEF.sub(r"\2\1", run) for run in _RTL_RUN.findall(normalize_spaces(text))]


def normalize_spaces(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@dataclass(frozen=True)
class Disagreement:
    output: str
    text: Text

    def __str__(self) -> str:
        shown = self.text.text if len(self.text.text) <= 70 else self.text.text[:67] + "..."
        return f"{self.output}: missing in {self.text.place}: '{shown}' ({self.text.where})"


def report_texts(document: Document) -> list[Text]:
    """Every text of the report, with its place and origin."""
    out: list[Text] = []

    def add(spans, where: Location, place: str) -> None:
        text = plain(spans).strip()
        if text:
            # A note's mark is a number in print and a reference without text in Word.
            parts, run = [], ""
            for span in spans:
                if span.note is not None:
                    parts.append(run)
                    run = ""
                else:
                    run += span.text
            parts = tuple(p for p in (*parts, run) if normalize(p))
            out.append(Text(text, where, place, parts if len(parts) > 1 else ()))

    def blocks(nodes, place: str) -> None:
        for _, spans, where in texts(nodes):
            add(spans, where, place)

    for section in document.walk():
        place = f"section '{section.plain_title}'"
        add(section.title, section.where, place)
        blocks(section.blocks, place)
    for note in document.footnotes.values():
        blocks(note.blocks, f"note {note.number}")
    return out


def slide_texts(document: Document, font: str) -> list[Text]:
    from . import deck
    from .inline import plain as plain_markdown
    slides = deck.expand(document, deck.Measure(font))
    where = document.content.handout._where
    out = []
    entries = len(document.content.handout.slides)
    for slide in slides:
        key = (("handout", "title") if slide.kind == "title" else ("handout", "closing")
               if slide.entry == entries else ("handout", "slides", slide.entry))
        origin = where.get(key, Location("handout.yaml"))
        place = f"slide {slide.number} ('{plain_markdown(slide.title)}')"
        for text in (slide.title, slide.subtitle if slide.kind == "title" else None, *slide.lines,
                     slide.presenters, slide.intro, slide.caption, slide.footnote,
                     *(b.text for b in slide.bullets), *(i for b in slide.bullets for i in b.items)):
            if text and plain_markdown(text).strip():
                out.append(Text(plain_markdown(text).strip(), origin, place))
    return out


# -- reading the outputs back ---------------------------------------------------------------

def pdf_text(path: Path, reading_order: bool = False) -> str:
    """The PDF's text: by default in the order it was laid down in (-raw), so that two columns
    side by side do not mix; with reading_order, as poppler reads it, which puts right-to-left
    text laid down as it shows back in the order it is read (its embedding marks are dropped
    by normalize)."""
    mode = [] if reading_order else ["-raw"]
    return subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def html_text(path: Path) -> str:
    source = path.read_text("utf-8")
    source = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", source)
    return html.unescape(re.sub(r"<[^>]+>", " ", source))


def ooxml_text(path: Path, parts: str) -> str:
    """The text of an Office file's XML parts (w:t or a:t runs), in order."""
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(parts, n))
        xml = " ".join(archive.read(n).decode("utf-8") for n in names)
    return html.unescape(" ".join(re.findall(r"<(?:w|a):t(?:\s[^>]*)?>([^<]*)</(?:w|a):t>", xml)))


def check(document: Document, out: Path, font: str) -> list[Disagreement]:
    """Every disagreement between the tree and the outputs in out."""
    name = document.content.report.output
    texts = report_texts(document)
    from .locales import script_of
    pdf = RightToLeft if script_of(document.content.language).rtl else lambda p: Plain(pdf_text(p))
    slides = cache(lambda: slide_texts(document, font))  # laid out once, if a slide output is there
    outputs = (
        (f"{name}.html", lambda p: Plain(html_text(p)), lambda: texts),
        (f"{name}.pdf", pdf, lambda: texts),
        (f"{name}.docx", lambda p: Plain(ooxml_text(p, r"word/(document|footnotes)\.xml")), lambda: texts),
        ("handout-slides.pdf", pdf, slides),
        ("handout.pptx", lambda p: Plain(ooxml_text(p, r"ppt/slides/slide\d+\.xml")), slides),
    )
    found: list[Disagreement] = []
    for output, read, wanted in outputs:
        path = out / output
        if path.exists():
            reader = read(path)
            found += [Disagreement(output, t) for t in wanted() if not reader.finds(t)]
    return found


def outputs_present(document: Document, out: Path) -> list[str]:
    name = document.content.report.output
    return [n for n in (f"{name}.html", f"{name}.pdf", f"{name}.docx", "handout-slides.pdf", "handout.pptx")
            if (out / n).exists()]
