"""Sessions, the access table, throttling and response headers: what every request passes."""
