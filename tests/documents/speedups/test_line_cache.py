"""The line-breaking cache (documents/speedups/line_cache.py) changes no byte of any PDF."""

from __future__ import annotations

import contextlib

import pytest
from weasyprint import HTML

from dme_service.documents import packet
from dme_service.documents.render import warm_up
from dme_service.documents.renderer import Renderer
from dme_service.documents.sources import source_for
from dme_service.documents.speedups import line_cache
from dme_service.documents.speedups.line_cache import LineCache
from documents.htmls import LETTERS, options_for
from documents.samples import SIGNED, case_and_decision


class Uncached:
    """Stands in for a LineCache: WeasyPrint's own line breaking every time."""

    def active(self):
        return contextlib.nullcontext()


def render(renderer, kind, case, decision, options):
    if kind == "packet":
        return packet.render_packet(renderer, case, decision, options)
    return renderer.render_source(source_for(kind, case, decision, options))[1]


@pytest.fixture(scope="module")
def renderers():
    """A cached renderer already filled by other patients' documents, and an uncached one."""
    cached, uncached = Renderer(), Renderer()
    uncached.line_cache = Uncached()
    for name in ("Ana María López-Ortega", "Bo Li"):
        case, decision = case_and_decision("uhc_commercial", patient_name=name, force_lb=10)
        render(cached, "packet", case, decision, options_for(None))
    return cached, uncached


DOCUMENTS = [(kind, lang) for kind in LETTERS for lang in ("en", "es")] + [("packet", "en")]


@pytest.mark.parametrize(("kind", "lang"), DOCUMENTS)
def test_every_document_is_byte_identical_with_and_without_the_cache(renderers, kind, lang):
    case, decision = case_and_decision()
    options = options_for(SIGNED, lang)
    cached, uncached = (render(r, kind, case, decision, options) for r in renderers)
    assert cached.sha256 == uncached.sha256


def test_a_second_render_of_the_same_document_breaks_no_line_anew():
    renderer = Renderer()
    case, decision = case_and_decision()
    render(renderer, "lmn", case, decision, options_for(SIGNED))
    misses = renderer.line_cache.misses
    render(renderer, "lmn", case, decision, options_for(SIGNED))
    assert renderer.line_cache.misses == misses and renderer.line_cache.hits > 0


def test_weasyprint_outside_the_renderer_never_uses_the_cache():
    renderer = Renderer()
    case, decision = case_and_decision()
    render(renderer, "swo", case, decision, options_for(SIGNED))
    before = (renderer.line_cache.hits, renderer.line_cache.misses)
    HTML(string="<p>Standard written order</p>").write_pdf()
    assert (renderer.line_cache.hits, renderer.line_cache.misses) == before


def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used():
    renderer = Renderer()
    renderer.line_cache = LineCache(max_entries=10)
    case, decision = case_and_decision()
    render(renderer, "lmn", case, decision, options_for(SIGNED))
    assert len(renderer.line_cache.entries) == 10


def test_a_style_value_that_cannot_be_a_key_is_never_cached(monkeypatch):
    calls = []
    monkeypatch.setattr(line_cache, "_original", lambda *args: calls.append(args) or ("x",))
    monkeypatch.setattr(line_cache, "style_key", lambda style: ([],))
    cache = LineCache()
    with cache.active():
        line_cache.split_first_line("text", {}, None, 100, 0)
        line_cache.split_first_line("text", {}, None, 100, 0)
    assert len(calls) == 2 and not cache.entries


TEXT = "Cervical traction at twelve pounds for fifteen minutes, twice daily, as tolerated."


@pytest.mark.parametrize(
    "declaration",
    [
        "font-weight: bold",
        "font-style: italic",
        "font-family: 'Letter Sans'",
        "font-size: 13pt",
        "letter-spacing: 1pt",
        "word-spacing: 4pt",
        "font-variant: small-caps",
        "font-kerning: none",
        "white-space: nowrap",
        "text-decoration: underline",
        "overflow-wrap: anywhere",
        "word-break: break-all",
        "hyphens: auto",
    ],
)
def test_text_that_differs_only_in_one_property_is_broken_anew(declaration):
    """Two paragraphs with the same words and width, the second with one text property
    changed: the cached render must match WeasyPrint's own (one row per key property)."""
    body = (
        f'<p style="width: 1.6in" lang="en">{TEXT}</p>'
        f'<p style="width: 1.6in; {declaration}" lang="en">{TEXT}</p>'
    )
    html = f'<html lang="en"><head><title>t</title></head><body>{body}</body></html>'
    cached, uncached = Renderer(), Renderer()
    uncached.line_cache = Uncached()
    pdfs = [r.write(r.layout(html), variant="pdf/ua-1") for r in (cached, uncached)]
    assert pdfs[0] == pdfs[1]


# The share of lines another patient's document finds already broken after the warm-up
# (measured: LMN 24 of 52, SWO 21 of 37, trial note 77 of 84, instructions 171 of 197; the
# letters are mostly the patient's own facts, the instructions mostly fixed sentences).
LEARNT = {"lmn": 0.4, "swo": 0.5, "trial_note": 0.85, "instructions": 0.8}


@pytest.mark.parametrize("kind", LETTERS)
def test_the_warm_up_learns_the_fixed_sentences_of_every_template(kind):
    """After warm_up (what every forked render inherits), another patient's document (other
    payer, force and clinic) finds its template's fixed lines already broken."""
    renderer = Renderer()
    warm_up(renderer)
    hits, misses = renderer.line_cache.hits, renderer.line_cache.misses
    case, decision = case_and_decision("aetna", patient_name="Rosa Delgado", force_lb=10)
    render(renderer, kind, case, decision, options_for(SIGNED))
    new_hits, new_misses = renderer.line_cache.hits - hits, renderer.line_cache.misses - misses
    assert new_hits >= LEARNT[kind] * (new_hits + new_misses), (new_hits, new_misses)
