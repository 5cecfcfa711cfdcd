"""The dme-case/1 contract (docs/case-format.md): the case, its parser and field readers. Pure."""
