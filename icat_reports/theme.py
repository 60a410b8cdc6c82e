"""templates/theme.yaml to a Theme: the colours, fonts and page geometry every format uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


PAGE_SIZES_MM = {"A4": (210, 297), "A5": (148, 210), "LETTER": (215.9, 279.4), "LEGAL": (215.9, 355.6)}


@dataclass(frozen=True)
class Theme:
    colors: dict[str, str]
    fonts: dict
    sizes: dict[str, float]
    page: dict
    layout: dict

    def side_by_side(self, *lists) -> bool:
        """Whether lists of this length can stand side by side (they cannot flow across pages)."""
        return sum(len(items) for items in lists) <= self.layout["side_by_side_max_items"]

    def rgb(self, name: str) -> tuple[int, int, int]:
        value = self.colors[name].lstrip("#")
        return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))

    def hex(self, name: str) -> str:
        """The colour without '#', as Word and PowerPoint want it."""
        return self.colors[name].lstrip("#").upper()

    @property
    def page_mm(self) -> tuple[float, float]:
        """The page's width and height in millimetres (page.size: A4, A5, Letter or Legal)."""
        return PAGE_SIZES_MM[str(self.page.get("size", "A4")).split()[0].upper()]

    @property
    def text_height_mm(self) -> float:
        """The height of the text area of a page, between its top and bottom margins."""
        return self.page_mm[1] - self.page["margin_top_mm"] - self.page["margin_bottom_mm"]

    @property
    def fallback_fonts(self) -> tuple[str, ...]:
        """The fonts for the scripts the body font lacks (Arabic, CJK), in order."""
        return tuple(self.fonts.get("fallback", ()))

    @property
    def font_stack(self) -> str:
        names = [self.fonts["body"], *self.fallback_fonts]
        return ", ".join(f'"{n}"' for n in names) + ", sans-serif"


def load_theme(templates: Path) -> Theme:
    data = yaml.safe_load((Path(templates) / "theme.yaml").read_text("utf-8"))
    return Theme(colors=data["colors"], fonts=data["fonts"], sizes=data["sizes"], page=data["page"],
                 layout=data["layout"])
