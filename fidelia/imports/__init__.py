"""Getting data in: files, column mapping, dry run, upsert, background import runs."""
