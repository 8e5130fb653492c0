"""Backups you can restore: one consistent, online snapshot of the database and the media files."""
