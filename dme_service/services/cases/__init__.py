"""Case use cases: create, import, edit a section, search; each owns its transaction."""
