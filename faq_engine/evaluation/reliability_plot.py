"""A reliability diagram as a PNG: for each bin of predicted match, how often the best hit was right.

Drawn with Pillow (already installed with Gradio), so evaluation needs no plotting library.
A perfectly calibrated ``match`` puts every bar's top on the diagonal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .reliability import ReliabilityBin

PANEL = 360  # pixels per side of one method's plot
MARGIN = 56


def draw(panels: Mapping[str, Sequence[ReliabilityBin]], title: str):
    """One plot per ranking method (accuracy per bin as bars, the diagonal, counts), side by side."""
    from PIL import Image, ImageDraw

    width = MARGIN + len(panels) * (PANEL + MARGIN)
    image = Image.new("RGB", (width, PANEL + 2 * MARGIN + 24), "white")
    pen = ImageDraw.Draw(image)
    pen.text((MARGIN, 12), f"{title}. Bars: share of best hits that were right; red: their mean match; "
                           "%: share of the questions", fill="black")
    for i, (name, bins) in enumerate(panels.items()):
        _panel(pen, MARGIN + i * (PANEL + MARGIN), MARGIN + 12, name, bins)
    return image


def _panel(pen, left: int, top: int, name: str, bins: Sequence[ReliabilityBin]) -> None:
    bottom, right = top + PANEL, left + PANEL
    pen.rectangle([left, top, right, bottom], outline="black")
    for tick in range(0, 11, 2):  # grid and labels every 0.2
        x, y = left + PANEL * tick // 10, bottom - PANEL * tick // 10
        pen.line([x, bottom, x, bottom + 4], fill="black")
        pen.line([left - 4, y, left, y], fill="black")
        pen.text((x - 8, bottom + 6), f"{tick / 10:.1f}", fill="black")
        pen.text((left - 30, y - 6), f"{tick / 10:.1f}", fill="black")
    total = sum(b.count for b in bins) or 1
    for b in bins:
        if not b.count:
            continue
        x0, x1 = left + round(PANEL * b.low) + 2, left + round(PANEL * b.high) - 2
        pen.rectangle([x0, bottom - round(PANEL * b.accuracy), x1, bottom], fill=(70, 130, 180), outline="black")
        mark = bottom - round(PANEL * b.mean_match)  # where a calibrated bar would end
        pen.line([x0, mark, x1, mark], fill=(200, 30, 30), width=3)
        bar_top = bottom - round(PANEL * b.accuracy)
        pen.text((x0 + 1, max(top + 2, bar_top - 14)), f"{100 * b.count / total:.0f}%", fill="black")
    pen.line([left, bottom, right, top], fill="gray", width=1)
    pen.text((left, top - 16), name, fill="black")
    pen.text((left + PANEL // 2 - 60, bottom + 22), "match of the best hit", fill="black")


def save(path: Path, panels: Mapping[str, Sequence[ReliabilityBin]], title: str) -> Path:
    """Draw and write the PNG; returns its path."""
    path = Path(path)
    draw(panels, title).save(path, format="PNG")
    return path
