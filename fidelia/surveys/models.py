"""Models of satisfaction surveys."""
