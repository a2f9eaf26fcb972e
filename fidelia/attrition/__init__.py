"""Attrition rates, the per-customer risk score with its reasons, attrition types and the loyalty typology."""
