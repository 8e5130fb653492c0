"""The media library: images uploaded by the newsroom, with the words that go with them."""

from functools import lru_cache

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
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
    # Where the subject is, in percent of the width and height from the top-left corner: every crop
    # keeps this point in view (as near its middle as the picture allows), so a face is not cut off.
    focal_x = models.PositiveSmallIntegerField(
        _("focal point across (%)"), default=50, validators=[MaxValueValidator(100)],
        help_text=_("Where the subject is, from the left edge (0) to the right edge (100); crops keep it in view."))
    focal_y = models.PositiveSmallIntegerField(
        _("focal point down (%)"), default=50, validators=[MaxValueValidator(100)],
        help_text=_("Where the subject is, from the top edge (0) to the bottom edge (100)."))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(focal_x__lte=100, focal_y__lte=100), name="media_image_focal_point_in_picture"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.alt}"

    @property
    def focus(self) -> tuple[int, int]:
        return (self.focal_x, self.focal_y)

    def rendition_url(self, width: int, height: int, *, focused: bool = False) -> str:
        """The address of this picture cut to ``width``×``height``; ``focused`` keeps its focal point in view.

        A crop around a focal point other than the middle has an address of its own that names the
        point, so moving the point gives new addresses and no browser or CDN keeps the old crop.
        """
        return rendition_address(renditions_root(), self.pk, width, height, self.focus if focused else None)


def rendition_address(root: str, image_id: int, width: int, height: int, focus: tuple[int, int] | None) -> str:
    """The address under ``root`` (``renditions_root()``) of picture ``image_id`` cut to ``width``×``height``
    around ``focus`` (None or the middle: the plain crop)."""
    if focus is not None and focus != (50, 50):
        return f"{root}{image_id}/{width}x{height}-f{focus[0]}-{focus[1]}.jpg"
    return f"{root}{image_id}/{width}x{height}.jpg"


def renditions_root() -> str:
    """Where renditions are served for this request's URLconf and script prefix (``/media/imgcache/``)."""
    return _renditions_root(get_script_prefix(), get_urlconf())


@lru_cache(maxsize=16)
def _renditions_root(script_prefix: str, urlconf) -> str:
    """``/media/imgcache/``: where renditions are served, asked of the URLconf once.

    A page shows up to six addresses per picture (its ``srcset``) and a list page a dozen
    pictures; ``reverse()`` for each cost more than the rest of the page's pictures together.
    media/urls.py spells the rest of the address; tests/media/test_focal_point.py holds the two equal.
    """
    sample = reverse("media:rendition", kwargs={"image_id": 1, "width": 2, "height": 3})
    return sample.removesuffix("1/2x3.jpg")
