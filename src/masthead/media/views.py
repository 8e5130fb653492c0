from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from masthead.media import renditions
from masthead.media.models import Image

# A rendition at a given address never changes (a new picture is a new upload with a new id).
FOREVER = "public, max-age=31536000, immutable"


def rendition(request, image_id: int, width: int, height: int):
    """``/media/imgcache/<id>/<w>x<h>.jpg``: only the configured and share sizes, so no one can fill the disk."""
    if not renditions.allowed(width, height):
        raise Http404(_("No rendition at %(w)s×%(h)s.") % {"w": width, "h": height})
    target = renditions.path(image_id, width, height)
    if not target.exists():
        target = renditions.render(get_object_or_404(Image, pk=image_id), width, height)
    response = FileResponse(open(target, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = FOREVER
    return response
