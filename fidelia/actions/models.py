"""Models of actions to take."""
