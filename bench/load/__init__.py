"""`make load`: 50 simulated users for 60 s through the real flows, then reconciliation.

Not part of `make bench` or `make test` (it takes minutes and both cores). `python -m
bench.load` starts the app itself on loopback, runs locust headless and bounded, and checks
that every acknowledged write is in the audit trail exactly once, the trail verifies and no
request got a 5xx; the figures go to docs/performance.md.
"""
