"""`make fuzz-times`: the fuzz at the size limits, each request's wall and CPU time recorded.

Not part of `make bench` or `make test` (minutes of both cores). The fuzz tests themselves run
in `make test` and assert no 5xx; this runs them again with DME_TEST_REQUEST_TIMES set and
summarises max and p99 per endpoint, wall clock and CPU, into docs/performance.md.
"""
