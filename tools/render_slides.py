"""Render slides of a .pptx to one PNG (for the README), without PowerPoint or LibreOffice.

Reads the file with python-pptx and draws every shape of the chosen slides where the
file puts it: text boxes with their runs' size, weight, style and colour, filled
rectangles, and pictures; headless Chromium takes the screenshot. An approximation of
PowerPoint's rendering (without Calibri, DejaVu Sans Condensed stands in; line breaks
and autofit may differ a little), but drawn from the slide file itself.

Run: ``.venv/bin/python tools/render_slides.py deck.pptx 2 10 --out docs/deck-slides.png``
(slide numbers from 1).
"""

from __future__ import annotations

import argparse
import base64
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PIXELS_PER_INCH = 72
EMU_PER_INCH = 914400


def _px(emu: int) -> float:
    return emu / EMU_PER_INCH * PIXELS_PER_INCH


def _box(shape) -> str:
    return (f"left:{_px(shape.left):.1f}px;top:{_px(shape.top):.1f}px;"
            f"width:{_px(shape.width):.1f}px;height:{_px(shape.height):.1f}px")


def _run_style(run) -> str:
    font = run.font
    style = []
    if font.size is not None:
        style.append(f"font-size:{font.size.pt * PIXELS_PER_INCH / 72:.1f}px")
    if font.bold:
        style.append("font-weight:700")
    if font.italic:
        style.append("font-style:italic")
    if font.color is not None and font.color.type is not None:
        style.append(f"color:#{font.color.rgb}")
    return ";".join(style)


def _shape_html(shape) -> str:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
        data = base64.b64encode(shape.image.blob).decode("ascii")
        return (f"<img style='position:absolute;{_box(shape)}' "
                f"src='data:{shape.image.content_type};base64,{data}'>")
    if shape.has_text_frame and shape.text_frame.text:
        paragraphs = "".join(
            "<p style='margin:0 0 2px'>" + "".join(
                f"<span style='{_run_style(r)}'>{escape(r.text)}</span>" for r in p.runs)
            + "</p>" for p in shape.text_frame.paragraphs)
        return (f"<div style='position:absolute;{_box(shape)};overflow:hidden;"
                f"line-height:1.2;padding:1px 3px'>{paragraphs}</div>")
    if shape.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and shape.fill.type is not None:
        return (f"<div style='position:absolute;{_box(shape)};"
                f"background:#{shape.fill.fore_color.rgb}'></div>")
    return ""


def slides_html(path: Path, numbers: list[int]) -> tuple[str, int, int]:
    """An HTML page with the chosen slides one under the other, and its size."""
    from pptx import Presentation

    deck = Presentation(str(path))
    width, height = _px(deck.slide_width), _px(deck.slide_height)
    slides = list(deck.slides)
    pages = []
    for number in numbers:
        shapes = "".join(_shape_html(s) for s in slides[number - 1].shapes)
        pages.append(f"<div style='position:relative;width:{width:.0f}px;height:{height:.0f}px;"
                     f"background:#fff;margin:0 0 16px;box-shadow:0 1px 4px #0004;"
                     f"overflow:hidden'>{shapes}</div>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
            "<body style='margin:16px;background:#e9ecef;font-family:Calibri,Carlito,"
            "&quot;DejaVu Sans Condensed&quot;,sans-serif;color:#212529'>"
            f"{''.join(pages)}</body></html>")
    return page, int(width + 32), int(len(numbers) * (height + 16) + 16)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deck", type=Path)
    parser.add_argument("slides", type=int, nargs="+", help="slide numbers, from 1")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    from dash_personas.export import browser_path

    page, width, height = slides_html(args.deck, args.slides)
    with tempfile.TemporaryDirectory() as work:
        html = Path(work) / "slides.html"
        html.write_text(page, encoding="utf-8")
        subprocess.run([browser_path(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={Path(work) / 'profile'}",
                        f"--window-size={width},{height}",
                        f"--screenshot={args.out.resolve()}", html.as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"{len(args.slides)} slides of {args.deck} drawn to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
