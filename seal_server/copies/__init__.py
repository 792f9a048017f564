"""Copy detection: which other sites show a seal, counted off the database on the hot paths."""
