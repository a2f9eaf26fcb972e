"""Models of attrition."""
