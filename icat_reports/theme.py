"""templates/theme.yaml to a Theme: the colours, fonts and page geometry every format uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


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
    def font_stack(self) -> str:
        names = [self.fonts["body"], *self.fonts.get("fallback", [])]
        return ", ".join(f'"{n}"' for n in names) + ", sans-serif"


def load_theme(templates: Path) -> Theme:
    data = yaml.safe_load((Path(templates) / "theme.yaml").read_text("utf-8"))
    return Theme(colors=data["colors"], fonts=data["fonts"], sizes=data["sizes"], page=data["page"],
                 layout=data["layout"])
