"""The decision engine: pure Python (no Flask, no SQLAlchemy). `engine.evaluate(case)`."""
