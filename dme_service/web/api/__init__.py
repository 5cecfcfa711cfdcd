"""The JSON API under /api/v1, its schema and the OpenAPI document."""
