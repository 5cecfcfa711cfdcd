"""The documents: letter of medical necessity, standard written order, patient instructions
and billing packet, rendered to PDF with WeasyPrint. Pure: imports neither Flask nor SQLAlchemy.

`render(kind, case, decision, ...)` is in `renderer`; `render_bounded` (a child process with a
wall-clock and memory limit, docs/security.md PDF-3) is in `bounded`.
"""
