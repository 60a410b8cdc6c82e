"""Two editions' document trees to their differences: what changed since the last meeting.

The texts of each section (paragraphs, list items, table cells, a key area's items, notes) are
compared item by item, and a reworded item word by word. An item found in both editions but
at another place counts as moved, not as removed and added. The result feeds the change pages
(HTML, and the PDF printed from it) and the Word file with tracked changes (changes_docx.py).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .tree import Document, plain
from .tree import texts as tree_texts

SIMILAR = 0.5  # how alike two texts must be (difflib's ratio) to count as one text reworded


@dataclass(frozen=True)
class Piece:
    """A run of words: kept, added or removed."""

    kind: str   # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class Item:
    """One text of a section in the comparison."""

    kind: str                      # "same", "added", "removed", "reworded", "moved-in", "moved-out"
    new: str | None
    old: str | None
    pieces: tuple[Piece, ...] = ()  # word by word, for "reworded"
    level: str = "text"            # "heading", "text", "item"


@dataclass
class SectionChanges:
    id: str
    title: str
    items: list[Item] = field(default_factory=list)
    kind: str = "same"             # the section itself: "same", "added", "removed", "moved-in"
    #                                (where it now is) or "moved-out" (where it was)

    @property
    def changed(self) -> bool:
        return self.kind != "same" or any(i.kind != "same" for i in self.items)

    @property
    def shown(self) -> bool:
        """On the change pages: a changed section, once (a moved one where it now is)."""
        return self.changed and self.kind != "moved-out"


def texts(blocks) -> list[tuple[str, str]]:
    """(level, text) of every text in blocks, in reading order (tree.texts, as read)."""
    found = ((level, plain(spans).strip()) for level, spans, _ in tree_texts(blocks))
    return [(level, text) for level, text in found if text]


def words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


def word_diff(old: str, new: str) -> tuple[Piece, ...]:
    a, b = words(old), words(new)
    out: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(Piece("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(Piece("removed", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(Piece("added", "".join(b[j1:j2])))
    return tuple(out)


def compare(previous: Document, current: Document) -> list[SectionChanges]:
    """The sections of both editions in the current order (removed ones where they were),
    each with its items compared."""
    old_sections = {s.id: s for s in previous.walk()}
    new_sections = {s.id: s for s in current.walk()}
    old_texts = {id: texts(s.blocks) for id, s in old_sections.items()}
    new_texts = {id: texts(s.blocks) for id, s in new_sections.items()}
    # Where each text stands in each edition: a text in another section there has moved.
    old_home = {t: id for id, items in old_texts.items() for _, t in items}
    new_home = {t: id for id, items in new_texts.items() for _, t in items}
    result: list[SectionChanges] = []
    before = [s.id for s in previous.walk()]
    moved = _moved([i for i in before if i in new_sections], [s.id for s in current.walk() if s.id in old_sections])
    # The current order; a removed section, and a moved one where it was, after the section
    # that came before it in the previous edition (entries "was:ID" for those).
    order = [s.id for s in current.walk()]
    for id in before:
        if id not in new_sections or id in moved:
            at = next((order.index(p) + 1 for p in reversed(before[:before.index(id)]) if p in order), 0)
            order.insert(at, f"was:{id}" if id in moved else id)
    for entry in order:
        if entry.startswith("was:"):  # a moved section, where it was: its old texts moved away
            id = entry[4:]
            section = SectionChanges(id, old_sections[id].plain_title, kind="moved-out")
            section.items = [Item("moved-out", None, old_sections[id].plain_title, level="heading"),
                             *(Item("moved-out", None, t, level=lv) for lv, t in old_texts[id])]
            result.append(section)
            continue
        id = entry
        if id in new_sections and id in old_sections:
            section = SectionChanges(id, new_sections[id].plain_title, kind="moved-in" if id in moved else "same")
            if old_sections[id].plain_title != new_sections[id].plain_title:
                section.items.append(Item("reworded", new_sections[id].plain_title, old_sections[id].plain_title,
                                          word_diff(old_sections[id].plain_title, new_sections[id].plain_title),
                                          "heading"))
            section.items += _items(old_texts[id], new_texts[id], id, old_home, new_home)
        elif id in new_sections:
            section = SectionChanges(id, new_sections[id].plain_title, kind="added")
            section.items = [Item("moved-in" if old_home.get(t) not in (None, id) else "added", t, None, level=lv)
                             for lv, t in new_texts[id]]
        else:
            section = SectionChanges(id, old_sections[id].plain_title, kind="removed")
            section.items = [Item("moved-out" if new_home.get(t) not in (None, id) else "removed", None, t, level=lv)
                             for lv, t in old_texts[id]]
        result.append(section)
    return result


def _moved(before: list[str], after: list[str]) -> set[str]:
    """The sections (in both editions) that stand elsewhere among the others: those outside
    the longest run of sections kept in order."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    kept = {after[j + k] for _, j, size in matcher.get_matching_blocks() for k in range(size)}
    return set(after) - kept


def _items(old: list[tuple[str, str]], new: list[tuple[str, str]], id: str,
           old_home: dict, new_home: dict) -> list[Item]:
    a, b = [t for _, t in old], [t for _, t in new]
    levels_a, levels_b = [lv for lv, _ in old], [lv for lv, _ in new]
    out: list[Item] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [Item("same", t, t, level=levels_b[j1 + k]) for k, t in enumerate(b[j1:j2])]
            continue
        removed = list(range(i1, i2))
        added = list(range(j1, j2))
        # Pair each removed text with the most alike added one: a rewording.
        pairs: dict[int, int] = {}
        for j in added:
            best = max(removed, key=lambda i: difflib.SequenceMatcher(None, a[i], b[j]).ratio(), default=None)
            if best is not None and best not in pairs and \
                    difflib.SequenceMatcher(None, a[best], b[j]).ratio() >= SIMILAR:
                pairs[best] = j
        paired_new = {j: i for i, j in pairs.items()}
        for i in removed:
            if i not in pairs:
                kind = "moved-out" if a[i] in b or new_home.get(a[i]) not in (None, id) else "removed"
                out.append(Item(kind, None, a[i], level=levels_a[i]))
        for j in added:
            if j in paired_new:
                i = paired_new[j]
                out.append(Item("reworded", b[j], a[i], word_diff(a[i], b[j]), levels_b[j]))
            else:
                kind = "moved-in" if b[j] in a or old_home.get(b[j]) not in (None, id) else "added"
                out.append(Item(kind, b[j], None, level=levels_b[j]))
    return out


def summary(sections: list[SectionChanges]) -> dict[str, int]:
    counts = {"added": 0, "removed": 0, "reworded": 0, "moved": 0}
    for section in sections:
        if section.kind == "moved-out":
            continue
        if section.kind == "moved-in":
            counts["moved"] += 1
        for item in section.items:
            key = "moved" if item.kind.startswith("moved") else item.kind
            if key in counts and not (key == "moved" and item.kind == "moved-out"):
                counts[key] += 1
    return counts
