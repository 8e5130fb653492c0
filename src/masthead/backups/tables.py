"""What a database holds, asked the same way of the live database, a backup and a restored copy."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(cursor, tables: list[str]) -> dict[str, int]:
    """Rows in each of ``tables``, by a full count (no planner estimate)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor) -> list[str]:
    """The migrations recorded in ``django_migrations``, as ``app.name``, sorted."""
    cursor.execute("SELECT app, name FROM django_migrations")
    return sorted(f"{app}.{name}" for app, name in cursor.fetchall())
