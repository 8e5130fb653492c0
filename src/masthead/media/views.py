from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from masthead.media import renditions
from masthead.media.models import Image

# A rendition at a given address never changes (a new picture is a new upload with a new id).
FOREVER = "public, max-age=31536000, immutable"


def rendition(request, image_id: int, width: int, height: int, focal_x: int | None = None, focal_y: int | None = None):
    """``/media/imgcache/<id>/<w>x<h>.jpg`` (and ``…-f<x>-<y>.jpg`` around a focal point): only the
    configured and share sizes, and only the image's own focal point, so no one can fill the disk."""
    if not renditions.allowed(width, height):
        raise Http404(_("No rendition at %(w)s×%(h)s.") % {"w": width, "h": height})
    focus = renditions.CENTRE if focal_x is None else (focal_x, focal_y)
    target = renditions.path(image_id, width, height, focus)
    if not target.exists():
        image = get_object_or_404(Image, pk=image_id)
        if focus != renditions.CENTRE and focus != image.focus:
            raise Http404(_("Image %(id)s has no focal point at %(x)s%%, %(y)s%%.") % {"id": image_id, "x": focal_x, "y": focal_y})
        target = renditions.render(image, width, height, focus)
    response = FileResponse(open(target, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = FOREVER
    return response
