"""Use cases: each service owns its transaction; views and commands call these."""
