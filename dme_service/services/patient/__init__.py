"""The patient side: links, the home log, the home plan, red-flag review, printing."""
