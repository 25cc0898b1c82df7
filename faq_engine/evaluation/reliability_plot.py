"""A reliability diagram as a PNG: for each bin of predicted match, how often the best hit was right; and
below it, the risk-coverage curve: the share answered wrongly when only the surest questions are answered.

Drawn with Pillow (already installed with Gradio), so evaluation needs no plotting library.
A perfectly calibrated ``match`` puts every bar's top on the diagonal; a useful one keeps the
curve low until far to the right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from .reliability import ReliabilityBin

PANEL = 360  # pixels per side of one method's plot
MARGIN = 56


def draw(panels: Mapping[str, Sequence[ReliabilityBin]], title: str,
         curves: Mapping[str, Sequence[tuple[float, float]]] | None = None):
    """One plot per ranking method (accuracy per bin as bars, the diagonal, counts), side by side; with
    ``curves``, each method's risk-coverage curve under its plot."""
    from PIL import Image, ImageDraw

    curves = curves or {}
    width = MARGIN + len(panels) * (PANEL + MARGIN)
    rows = 2 if curves else 1
    image = Image.new("RGB", (width, rows * (PANEL + MARGIN + 24) + MARGIN), "white")
    pen = ImageDraw.Draw(image)
    pen.text((MARGIN, 12), f"{title}. Bars: share of best hits that were right; red: their mean match; "
                           "%: share of the questions", fill="black")
    for i, (name, bins) in enumerate(panels.items()):
        left = MARGIN + i * (PANEL + MARGIN)
        _panel(pen, left, MARGIN + 12, name, bins)
        if name in curves:
            _curve(pen, left, 2 * MARGIN + PANEL + 36, name, curves[name])
    return image


def _axes(pen, left: int, top: int) -> tuple[int, int]:
    bottom, right = top + PANEL, left + PANEL
    pen.rectangle([left, top, right, bottom], outline="black")
    for tick in range(0, 11, 2):  # grid and labels every 0.2
        x, y = left + PANEL * tick // 10, bottom - PANEL * tick // 10
        pen.line([x, bottom, x, bottom + 4], fill="black")
        pen.line([left - 4, y, left, y], fill="black")
        pen.text((x - 8, bottom + 6), f"{tick / 10:.1f}", fill="black")
        pen.text((left - 30, y - 6), f"{tick / 10:.1f}", fill="black")
    return bottom, right


def _curve(pen, left: int, top: int, name: str, curve: Sequence[tuple[float, float]]) -> None:
    bottom, _ = _axes(pen, left, top)
    points = [(left + round(PANEL * c), bottom - round(PANEL * r)) for c, r in curve]
    if len(points) > 1:
        pen.line(points, fill=(200, 30, 30), width=3)
    pen.text((left, top - 16), f"{name}: risk (share answered wrongly)", fill="black")
    pen.text((left + PANEL // 2 - 100, bottom + 22), "coverage (surest questions answered)", fill="black")


def _panel(pen, left: int, top: int, name: str, bins: Sequence[ReliabilityBin]) -> None:
    bottom, right = _axes(pen, left, top)
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


def save(path: Path, panels: Mapping[str, Sequence[ReliabilityBin]], title: str,
         curves: Mapping[str, Sequence[tuple[float, float]]] | None = None) -> Path:
    """Draw and write the PNG; returns its path."""
    path = Path(path)
    draw(panels, title, curves).save(path, format="PNG")
    return path
