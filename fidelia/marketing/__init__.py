"""Segments, campaigns, channels, contact pressure, control groups and campaign KPIs."""
