"""Tests of the `dme-service` subcommands."""
