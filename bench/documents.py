"""PDF rendering speed: each document cold and warm against a naive WeasyPrint render.

- naive: `weasyprint.HTML(string=html, base_url=assets).write_pdf()` of the same HTML with
  the print stylesheet linked from it, as a first attempt would do: a new font
  configuration, stylesheet and @font-face fonts on every call, default options.
- cold: a new `Renderer` (fonts registered, stylesheet parsed, templates compiled) plus the
  first render. warm: further renders with the same renderer (what a worker does).
- The LMN is also compared with the naive render asked for the same PDF/UA-1 output.
- The packet is compared with the sum of the naive renders of its six parts (cover, SWO,
  LMN, trial note, instructions, manifest).
Times are CPU seconds of this process (time.process_time): the bench machine is shared,
and wall time there measures the neighbours. Each figure is the fastest of RUNS interleaved
runs (the least disturbed one; naive and warm alike).
Goals (issue 6): LMN warm <= 0.6 x naive; packet warm <= 0.6 x the sum of naive parts.
"""

from __future__ import annotations

import os
import sys
import time

# The tests' case factories build the benchmark's case.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tests"))

RUNS = 5
GOAL = 0.6
SINGLE = ("lmn", "swo", "instructions", "trial_note")


def _inputs():
    from documents.samples import CLINIC, NOW, SIGNED, case_and_decision

    case, decision = case_and_decision()
    return case, decision, {"now": NOW, "clinic": CLINIC, "signature": SIGNED}


def _cpu(function) -> float:
    started = time.process_time()
    function()
    return time.process_time() - started


def _naive_html(renderer, source) -> str:
    """The document's HTML with the stylesheet linked, as a naive caller would pass it."""
    html = renderer.html(source)
    return html.replace("</head>", '<link rel="stylesheet" href="print.css">\n</head>', 1)


def _naive(html: str, base_url: str, variant: str | None = None) -> None:
    import weasyprint

    weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant=variant)


def _part_htmls(renderer, case, decision, options) -> dict[str, str]:
    """The naive HTML of every document and of the packet's cover and manifest."""
    from dme_service.documents import packet
    from dme_service.documents.renderer import RenderOptions, source_for

    opts = RenderOptions(**options)
    htmls = {kind: _naive_html(renderer, source_for(kind, case, decision, opts)) for kind in SINGLE}
    parts = packet.parts_of(renderer, case, decision, opts)
    attachment = packet.decision_json(decision)
    htmls["cover"] = _naive_html(renderer, packet.cover_source(case, decision, opts, parts))
    htmls["manifest"] = _naive_html(renderer, packet.manifest_source(case, opts, parts, attachment))
    return htmls


def _measure(case, decision, options) -> dict[str, dict[str, list[float]]]:
    from dme_service.documents.renderer import Renderer, render

    timings: dict[str, dict[str, list[float]]] = {}
    renderer = Renderer()
    htmls = _part_htmls(renderer, case, decision, options)
    for _ in range(RUNS):
        for kind in SINGLE + ("packet",):
            slot = timings.setdefault(kind, {"warm": [], "naive": []})
            slot["warm"].append(_cpu(lambda k=kind: render(k, case, decision, **options)))
            if kind != "packet":
                slot["naive"].append(_cpu(lambda k=kind: _naive(htmls[k], renderer.base_url)))
        slot = timings["lmn"].setdefault("naive_ua", [])
        slot.append(_cpu(lambda: _naive(htmls["lmn"], renderer.base_url, "pdf/ua-1")))
        for part in ("cover", "manifest"):
            slot = timings.setdefault(part, {"naive": []})
            slot["naive"].append(_cpu(lambda p=part: _naive(htmls[p], renderer.base_url)))
    return timings


def _cold(case, decision, options) -> dict[str, float]:
    """A fresh renderer and its first render of each document."""
    from dme_service.documents import renderer as module

    cold = {}
    for kind in SINGLE + ("packet",):
        module._local.renderer = None
        cold[kind] = _cpu(lambda k=kind: module.render(k, case, decision, **options))
    return cold


def run() -> dict:
    case, decision, options = _inputs()
    from dme_service.documents.renderer import render

    render("swo", case, decision, **options)  # imports and first use out of the way
    cold = _cold(case, decision, options)
    timings = _measure(case, decision, options)
    fastest = {k: {m: min(v) for m, v in t.items() if v} for k, t in timings.items()}
    results: dict = {}
    for kind in SINGLE:
        results[f"{kind} naive ms"] = round(fastest[kind]["naive"] * 1000, 1)
        results[f"{kind} cold ms"] = round(cold[kind] * 1000, 1)
        results[f"{kind} warm ms"] = round(fastest[kind]["warm"] * 1000, 1)
    lmn_ratio = fastest["lmn"]["warm"] / fastest["lmn"]["naive"]
    results["lmn warm / naive"] = _goal(lmn_ratio)
    # The letter is PDF/UA-1 (tagged); the same naive render asked for PDF/UA-1 too:
    results["lmn warm / naive pdf-ua-1"] = round(
        fastest["lmn"]["warm"] / fastest["lmn"]["naive_ua"], 3
    )
    naive_sum = sum(fastest[p]["naive"] for p in SINGLE + ("cover", "manifest"))
    results["packet naive sum ms"] = round(naive_sum * 1000, 1)
    results["packet cold ms"] = round(cold["packet"] * 1000, 1)
    results["packet warm ms"] = round(fastest["packet"]["warm"] * 1000, 1)
    results["packet warm / naive sum"] = _goal(fastest["packet"]["warm"] / naive_sum)
    warm_parts = sum(fastest[p]["warm"] for p in SINGLE)
    results["packet warm / warm parts sum"] = round(fastest["packet"]["warm"] / warm_parts, 3)
    return results


def _goal(ratio: float) -> dict:
    return {"value": round(ratio, 3), "unit": "x", "goal": f"<= {GOAL}", "ok": ratio <= GOAL}


if __name__ == "__main__":
    for metric, value in run().items():
        print(f"{metric:28} {value}")
