"""Models of marketing."""
