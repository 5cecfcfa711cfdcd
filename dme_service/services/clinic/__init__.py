"""A clinic's own set-up: the clinic and its profile, its users (staff and outside
practitioners) and their one-time set-password links."""
