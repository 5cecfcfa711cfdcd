"""bench/claims.py runs end to end on a few claims (the bench times 1,000; no timing here)."""

from __future__ import annotations

from bench import claims


def test_the_claims_bench_exports_and_posts_every_claim():
    results = claims.run(count=3)
    assert results["export 1,000 claims (837P), CPU"]["unit"] == "s"
    assert results["837P size"]["value"] >= 0
