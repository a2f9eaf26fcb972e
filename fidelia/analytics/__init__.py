"""Portfolio analytics: Pareto, ABC, RFM, FRAT results, snapshots and trajectories."""
