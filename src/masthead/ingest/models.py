"""What an import remembers: which source item became which article, and what it looked like."""

from django.db import models
from django.utils import timezone

from masthead.news.models import Article


class SourceRecord(models.Model):
    """One item of an outside source, mapped to the article it became.

    ``(source, source_key)`` names the item (e.g. ``savedpage`` / ``302104``, or a feed's URL and an
    entry's GUID); ``content_hash`` is the item as last imported, so a re-import that brings the
    same content counts as unchanged and writes nothing.
    """

    source = models.CharField(max_length=200)
    source_key = models.CharField(max_length=500)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="source_records")
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_key"], name="ingest_source_key_unique")]

    def __str__(self) -> str:
        return f"{self.source} {self.source_key} → {self.article_id}"


class ImportRevision(models.Model):
    """An article as it was before an import overwrote it, so an update can be undone by hand."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="import_revisions")
    taken_at = models.DateTimeField(default=timezone.now)
    fields = models.JSONField()

    class Meta:
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id} before import at {self.taken_at:%Y-%m-%d %H:%M}"
