"""Rows <-> the contract: the only place that turns stored rows into a Case and back."""
