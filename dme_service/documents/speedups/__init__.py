"""Patches to WeasyPrint internals that make rendering faster, each tested for byte-identity."""
