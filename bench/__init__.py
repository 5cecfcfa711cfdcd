"""Benchmarks: `python -m bench` (make bench) runs every `bench/<part>.py` module's `run()`."""
