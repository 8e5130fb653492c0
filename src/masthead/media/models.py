"""The media library: images uploaded by the newsroom, with the words that go with them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Image(models.Model):
    """An uploaded picture, stored re-encoded without its metadata; renditions are made from it on demand."""

    class Format(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        WEBP = "webp", "WebP"

    file = models.FileField(_("file"), max_length=200, editable=False)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    size_bytes = models.PositiveIntegerField(_("size in bytes"), editable=False)
    alt = models.CharField(_("alt text"), max_length=250,
                           help_text=_("What the picture shows, for readers who cannot see it."))
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(_("credit"), max_length=120, blank=True, help_text=_("e.g. IRNA or Photo: Sara Karimi"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.pk}: {self.alt}"

    def rendition_url(self, width: int, height: int) -> str:
        return reverse("media:rendition", kwargs={"image_id": self.pk, "width": width, "height": height})
