"""Laying the packet out as two documents and joining their pages (no CSS target-counter).

- "parts": placeholder pages standing for the cover, the parts (SWO, LMN, trial note,
  instructions), then placeholders standing for the manifest.
- "frame": the cover and the manifest, laid out after the parts with each part's first page
  (read from the parts' anchors) written in as text, and with a small stylesheet (FRAME_CSS)
  that numbers the manifest's pages and prints the packet's page count in the footer.

The parts document has the packet's page count, so `counter(page)` and `counter(pages)` in its
footers are the packet's own. The packet is the frame's cover pages, the parts' pages and the
frame's manifest pages. The cover's and the manifest's page counts are guessed (one page
each) and checked on the frame; a wrong guess lays both out again with the counts found.
Placeholders are empty pages without margin boxes (`page: placeholder` in print.css). In one
document with `target-counter`, WeasyPrint laid the cover and the manifest out three times
each (about 11 % of a packet's CPU, measured); placeholders standing for the parts in the
frame cost 3 ms a page, hence FRAME_CSS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from weasyprint.document import Document

PLACEHOLDER = '<section class="part placeholder"></section>'
MAX_PASSES = 3
# The frame's footers: print.css's "Page N of M" with the packet's page count written in (the
# frame alone has fewer pages), and the manifest (`page: manifest`) numbered from its place.
FRAME_CSS = """
@page {{ @bottom-right {{ content: "Page " counter(page) " of {total}"; }} }}
@page :nth(1 of manifest) {{ counter-set: page {manifest_first}; }}
"""


class PaginationUnsettled(RuntimeError):
    """The cover's or manifest's page count kept changing with its own page numbers."""


@dataclass(frozen=True, slots=True)
class Frame:
    """How many pages the cover and the manifest take."""

    cover_pages: int = 1
    manifest_pages: int = 1


def placeholders(count: int) -> str:
    return "\n".join([PLACEHOLDER] * count)


def first_pages(document: Document, anchors) -> dict[str, int]:
    """The page number (from 1) on which each anchor first appears."""
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in anchors:
            if anchor in page.anchors:
                found.setdefault(anchor, number)
    return found


def frame_found(frame: Document) -> Frame:
    """The cover's and the manifest's real page counts in a laid-out frame."""
    cover_pages = first_pages(frame, ["manifest"])["manifest"] - 1
    return Frame(cover_pages, len(frame.pages) - cover_pages)


def lay_out(
    layout: Callable[..., Document],
    parts_html: Callable[[Frame], str],
    frame_html: Callable[[dict[str, int]], str],
    anchors: list[str],
) -> Document:
    """The joined packet. `layout(html, css=None)` lays out; `parts_html(frame)` and
    `frame_html(first_pages)` give the two documents' HTML; `anchors` are the parts' ids."""
    guess = Frame()
    for _ in range(MAX_PASSES):
        parts = layout(parts_html(guess))
        total = len(parts.pages)
        starts = first_pages(parts, anchors)
        starts["manifest"] = total - guess.manifest_pages + 1
        css = FRAME_CSS.format(total=total, manifest_first=starts["manifest"])
        frame = layout(frame_html(starts), css)
        found = frame_found(frame)
        if found == guess:
            cover_end = found.cover_pages
            parts_pages = parts.pages[cover_end : total - found.manifest_pages]
            return frame.copy(frame.pages[:cover_end] + parts_pages + frame.pages[cover_end:])
        guess = found
    raise PaginationUnsettled(f"packet pagination did not settle in {MAX_PASSES} passes")
