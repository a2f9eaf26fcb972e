"""Getting data out: list exports and the versioned BI tables (Parquet, read-only schema)."""
