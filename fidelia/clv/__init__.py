"""Customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma fitted on the transaction history; customer capital."""
