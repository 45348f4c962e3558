"""Custom integrations (package marker for tests and type checking)."""
