"""Tests of the decision engine, its policy packs and code lookups (dme_service.rules)."""
