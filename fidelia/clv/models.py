"""Models of customer value."""
