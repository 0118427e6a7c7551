"""Reading the few facts the tests check in a Chromium PDF, without a PDF library.

Chromium (Skia) writes PDF objects uncompressed and only the page contents compressed:
the page tree, the page sizes (MediaBox), the document title and the tagged structure
(each figure's alternative text and the page it is on) can be read with regular
expressions. The visible text itself is in compressed content streams with font-specific
glyph codes, which these helpers do not decode.
"""

from __future__ import annotations

import re


def _string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode("ascii"))
        return raw[2:].decode("utf-16-be") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1")
    body = token[1:-1]
    body = re.sub(rb"\\([()\\])", rb"\1", body)
    return body.decode("latin-1")


def objects(pdf: bytes) -> dict[int, bytes]:
    """Object number -> its dictionary text (streams left out)."""
    return {int(m.group(1)): m.group(2)
            for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)(?:stream\r?\n|endobj)", pdf, re.S)}


def pages(pdf: bytes) -> list[int]:
    """Object numbers of the pages, in page order (the root /Pages /Kids)."""
    found = objects(pdf)
    for body in found.values():
        if re.search(rb"/Type\s*/Pages\b", body) and b"/Parent" not in body:
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body).group(1)
            return [int(n) for n in re.findall(rb"(\d+) 0 R", kids)]
    raise AssertionError("no page tree")


def media_boxes(pdf: bytes) -> list[tuple[float, ...]]:
    """Each page's MediaBox, in page order."""
    found = objects(pdf)
    return [tuple(float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]*)\]",
                                              found[n]).group(1).split())
            for n in pages(pdf)]


def title(pdf: bytes) -> str:
    """The document title (from the HTML <title>)."""
    return _string(re.search(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]*>)", pdf).group(1))


def figures_by_page(pdf: bytes) -> list[list[str]]:
    """The alternative texts of the tagged figures, per page (page order)."""
    order = {n: i for i, n in enumerate(pages(pdf))}
    out: list[list[str]] = [[] for _ in order]
    for body in objects(pdf).values():
        if re.search(rb"/S\s*/Figure\b", body) and b"/Alt" in body:
            alt = re.search(rb"/Alt\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]*>)", body).group(1)
            page = int(re.search(rb"/Pg\s+(\d+) 0 R", body).group(1))
            out[order[page]].append(_string(alt))
    return out
