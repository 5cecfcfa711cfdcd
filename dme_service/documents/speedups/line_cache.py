"""A per-renderer cache of WeasyPrint's line breaking, for text that recurs between documents.

Most of what the service prints recurs: the patient instructions are the same sentences for
every patient, the packet repeats the SWO and LMN that were just signed, and every document
shares headings, table headers and footers. WeasyPrint shapes each text box anew with Pango
(`split_first_line`: about a fifth of a layout, measured). Its answer depends only on the
text, the available width and the text properties of the style (the font, spacing, breaking
and hyphenation properties listed in TEXT_PROPERTIES: every property `split_first_line` and
the Pango layout it builds read, WeasyPrint 70.0, pinned in setup.cfg). So a renderer keeps the
answers it has computed, keyed by exactly those inputs, and hands out a copy on a repeat.

The cache is active only inside `LineCache.active()` (the renderer's layouts): any other
WeasyPrint call in the process, such as the benchmark's naive renders, runs WeasyPrint's
own function untouched. tests/documents/speedups/test_line_cache.py checks that every document is
byte-identical with and without the cache, including after other cases filled it.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
from collections import OrderedDict

from weasyprint.layout import inline, preferred
from weasyprint.text import line_break

# Every style property read by split_first_line, Layout.setup/set_text, line_size and
# first_line_metrics (weasyprint/text/line_break.py and text/fonts.py, 70.0).
TEXT_PROPERTIES: tuple[str, ...] = (
    "direction",
    "font_family",
    "font_feature_settings",
    "font_kerning",
    "font_language_override",
    "font_size",
    "font_stretch",
    "font_style",
    "font_variant_alternates",
    "font_variant_caps",
    "font_variant_east_asian",
    "font_variant_ligatures",
    "font_variant_numeric",
    "font_variant_position",
    "font_variation_settings",
    "font_weight",
    "hyphenate_character",
    "hyphenate_limit_chars",
    "hyphenate_limit_zone",
    "hyphens",
    "lang",
    "letter_spacing",
    "overflow_wrap",
    "tab_size",
    "text_decoration_line",
    "white_space",
    "word_break",
    "word_spacing",
)
# About 40 packets' worth of distinct lines; an entry is a short tuple and its text.
MAX_ENTRIES = 20_000

_original = line_break.split_first_line
_current: contextvars.ContextVar[LineCache | None] = contextvars.ContextVar(
    "dme_line_cache", default=None
)


class LineCache:
    """Line-breaking answers by (text, width, text properties), least recently used first."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict = OrderedDict()
        self.hits = 0
        self.misses = 0

    @contextlib.contextmanager
    def active(self):
        """Answer WeasyPrint's line breaking from this cache inside the block."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    def split_first_line(self, text, style, context, max_width, spacing, start, minimum):
        try:
            key = (text, max_width, spacing, start, minimum, style_key(style))
            hash(key)
        except TypeError:  # an unhashable property value: never guess
            return _original(text, style, context, max_width, spacing, start, minimum)
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            found = _original(text, style, context, max_width, spacing, start, minimum)
            self.entries[key] = found
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        else:
            self.hits += 1
            self.entries.move_to_end(key)
        # The layout is a deactivated shell (text and metrics, no Pango objects) that the
        # drawing reactivates for its own box: each box gets its own copy.
        layout, *rest = found
        return (copy.copy(layout), *rest)


def style_key(style) -> tuple:
    """The values of the text properties, and the fonts they are looked up in."""
    return (id(style.font_config), *[style[name] for name in TEXT_PROPERTIES])


def split_first_line(
    text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False
):
    """WeasyPrint's split_first_line (same signature), answered from the active cache if
    there is one."""
    args = (text, style, context, max_width, justification_spacing, is_line_start, minimum)
    cache = _current.get()
    return _original(*args) if cache is None else cache.split_first_line(*args)


# layout/inline.py and layout/preferred.py imported the function by name (preferred.py also
# re-imports it from inline inside a function): both names are replaced.
inline.split_first_line = split_first_line
preferred.split_first_line = split_first_line
