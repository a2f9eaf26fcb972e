"""Models of customer service."""
