"""The colours an operator chooses, and the contrast every pair the style sheet makes of
them must have (WCAG 2.2 AA, 1.4.3 and 1.4.11). Pure functions; no Flask."""
import re
from dataclasses import dataclass

HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
WHITE, BLACK, SURFACE = "#ffffff", "#000000", "#f3f4f6"  # as static/css/sesame.css uses them
TEXT, LARGE_TEXT_OR_UI = 4.5, 3.0


@dataclass(frozen=True)
class Theme:
    primary: str = "#1d4ed8"       # the header, buttons, links, the side of notices
    primary_dark: str = "#1e3a8a"  # buttons and links under the pointer
    focus: str = "#fbbf24"         # the focus ring and the skip link

    def pairs(self):
        """(what, foreground, background, ratio needed): every pair the style sheet draws."""
        return [
            ("white text on BRAND_PRIMARY (header, buttons)", WHITE, self.primary, TEXT),
            ("BRAND_PRIMARY links on white", self.primary, WHITE, TEXT),
            ("BRAND_PRIMARY links on the grey of notices", self.primary, SURFACE, TEXT),
            ("white text on BRAND_PRIMARY_DARK (buttons under the pointer)", WHITE, self.primary_dark, TEXT),
            ("BRAND_PRIMARY_DARK links on white", self.primary_dark, WHITE, TEXT),
            ("BRAND_FOCUS ring around a link of the header (BRAND_PRIMARY)", self.focus, self.primary,
             LARGE_TEXT_OR_UI),
            ("black text on BRAND_FOCUS (skip link)", BLACK, self.focus, TEXT),
        ]

    def css(self) -> str:
        return f":root{{--brand:{self.primary};--brand-dark:{self.primary_dark};--focus:{self.focus}}}\n"


def parse_colour(value: str) -> str:
    found = HEX.match(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a colour like #1d4ed8")
    return "#" + found.group(1).lower()


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def too_faint(theme: Theme) -> list[str]:
    """The pairs below their ratio, said so that an operator knows which colour to change."""
    return [f"{what}: {contrast(fg, bg):.2f}:1, needs {needed}:1"
            for what, fg, bg, needed in theme.pairs() if contrast(fg, bg) < needed]
