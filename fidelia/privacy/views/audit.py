"""Audit viewer and change history."""
