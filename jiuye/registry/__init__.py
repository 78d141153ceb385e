"""Registry: the district's people, employers and organisations in a database (SQLite or PostgreSQL)."""
