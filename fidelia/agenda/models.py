"""Models of agenda."""
