"""Subcommands of `dme-service`; see dme_service.cli for the table."""
