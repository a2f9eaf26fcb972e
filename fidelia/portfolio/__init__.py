"""Weighted scoring grids, portfolio matrices, RADAR and competitive contribution (TCC)."""
