"""Accounts: passwords, TOTP second factor, API bearer tokens."""
