"""The bounded render (security.md PDF-3): a child process under a wall clock and RLIMIT_AS."""

from __future__ import annotations

import time

import pytest

from dme_service.documents.bounded import (
    RenderFailed,
    RenderTimeout,
    render_bounded,
    run_bounded,
)
from dme_service.documents.render import render
from dme_service.documents.renderer import Renderer, get_renderer
from dme_service.documents.sources import source_for
from dme_service.documents.types import DocumentRefused, RenderOptions
from documents.samples import NOW, case_and_decision

# Test-only hostile template: thousands of rows of nested flex boxes with absurd type.
HOSTILE_HTML = (
    "<html lang='en'><head><title>hostile</title></head><body>"
    + "<div style='display:flex'><div style='display:flex;flex-direction:column'>"
    + "".join(
        f"<div style='display:flex;font-size:1e30px'><span>{i}</span><span>row</span></div>"
        for i in range(5000)
    )
    + "</div></div></body></html>"
)


def lay_out_hostile() -> int:
    return len(get_renderer().layout(HOSTILE_HTML).pages)


def test_a_bounded_render_returns_the_same_document_as_a_direct_one():
    case, decision = case_and_decision()
    direct = render("lmn", case, decision, now=NOW)
    bounded = render_bounded("lmn", case, decision, now=NOW)
    assert bounded.sha256 == direct.sha256
    assert bounded.pages == direct.pages


def test_a_hostile_layout_is_stopped_at_the_wall_clock():
    started = time.monotonic()
    with pytest.raises(RenderTimeout):
        run_bounded(lay_out_hostile, timeout=1.0)
    assert time.monotonic() - started < 5


def test_over_allocation_fails_cleanly():
    def allocate() -> int:
        return len(bytearray(2 << 30))

    with pytest.raises(RenderFailed, match="out of memory"):
        run_bounded(allocate, memory_bytes=1 << 30)


def test_a_refused_document_is_reported_as_a_refusal_not_a_failure():
    case, decision = case_and_decision(frequency_text="as needed")
    with pytest.raises(DocumentRefused) as refused:
        render_bounded("swo", case, decision, now=NOW)
    assert refused.value.field == "request.frequency_text"


def test_the_worker_renders_again_after_a_timeout():
    with pytest.raises(RenderTimeout):
        run_bounded(lay_out_hostile, timeout=0.5)
    case, decision = case_and_decision()
    assert render_bounded("swo", case, decision, now=NOW).pages == 1


def test_a_bounded_render_warms_the_parent_renderer_up_first_and_changes_no_byte():
    case, decision = case_and_decision()
    fresh = Renderer()
    assert not fresh.warmed_up
    _, before = fresh.render_source(source_for("lmn", case, decision, RenderOptions(now=NOW)))
    render_bounded("lmn", case, decision, now=NOW)
    assert get_renderer().warmed_up
    assert render("lmn", case, decision, now=NOW).sha256 == before.sha256


def allocate(size: int) -> int:
    return len(bytearray(size))


def test_the_ceiling_is_counted_from_the_workers_own_size():
    # A long-lived worker with many libraries loaded can already use more address space than
    # the allowance; an absolute 1 GiB limit made every render in such a process fail.
    import mmap

    reserved = mmap.mmap(-1, 1536 << 20)  # address space only; never touched
    try:
        assert run_bounded(allocate, 32 << 20, memory_bytes=256 << 20) == 32 << 20
    finally:
        reserved.close()
