"""Search backends, one per database: ``sqlite`` (FTS5) and ``postgresql`` (full text search)."""
