"""dme_service."""
