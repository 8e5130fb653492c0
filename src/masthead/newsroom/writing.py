"""Writing a story: the body editor with its live preview, the length limits that matter, pictures pasted into the body."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from masthead import sanitize
from masthead.media import uploads


@dataclass(frozen=True)
class Limit:
    """A length a field should stay within, and why; the counter beside the field says both."""

    characters: int
    why: str


LIMITS = {
    # Google's Article structured data: "headline ... should not exceed 110 characters", and Google News
    # cuts longer ones: https://developers.google.com/search/docs/appearance/structured-data/article
    "headline": Limit(110, gettext_lazy("Google News cuts headlines after 110 characters.")),
    # The summary is the page's description: search results show about 160 characters of it.
    "summary": Limit(160, gettext_lazy("Search results show about 160 characters of the summary.")),
    # The kicker sits in a single line above the headline on the home page.
    "kicker": Limit(30, gettext_lazy("A kicker over 30 characters wraps on the home page.")),
}
# A story body the preview renders, at most: a whole day's paper is smaller.
PREVIEW_MAX_CHARACTERS = 200_000


def counted(widget: forms.Widget, name: str) -> None:
    """Give ``widget`` the counter of its field's limit (read by newsroom/writing.js)."""
    limit = LIMITS[name]
    widget.attrs.update({"data-limit": limit.characters, "data-limit-why": str(limit.why)})


class BodyEditor(forms.Textarea):
    """The body's Markdown, tall, with the story as readers will see it beside it, and pictures pasted in."""

    template_name = "newsroom/widgets/body_editor.html"

    def __init__(self, attrs=None):
        super().__init__({"rows": 24, "cols": 80, "class": "body-editor-text", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "data-preview-url": reverse("admin:news_article_body_preview"),
            "data-picture-url": reverse("admin:news_article_body_picture"),
        })
        return context


@require_POST
def preview(request):
    """The body as the site renders it, from Markdown through the site's sanitising policy (JSON ``html``)."""
    if not request.user.has_perm("news.change_article"):
        raise PermissionDenied(_("You may not write stories."))
    body = request.POST.get("body", "")
    if len(body) > PREVIEW_MAX_CHARACTERS:
        return JsonResponse({"error": _("The body is %(n)d characters; the preview shows at most %(max)d.")
                             % {"n": len(body), "max": PREVIEW_MAX_CHARACTERS}}, status=400)
    return JsonResponse({"html": sanitize.render_markdown(body)})


@require_POST
def picture(request):
    """Put a pasted or dropped picture in the media library; answer the Markdown that shows it in a body (JSON)."""
    if not request.user.has_perm("media.add_image"):
        return JsonResponse({"error": _("You may not upload pictures.")}, status=403)
    upload, alt = request.FILES.get("upload"), request.POST.get("alt", "").strip()
    if upload is None:
        return JsonResponse({"error": _("upload: send the picture as the file field 'upload'.")}, status=400)
    if not alt:
        return JsonResponse({"error": _("alt: say what the picture shows, for readers who cannot see it.")}, status=400)
    try:
        image = uploads.accept(upload, alt=alt[:250], credit=request.POST.get("credit", "").strip()[:120],
                               by=request.user)
    except ValidationError as invalid:
        return JsonResponse({"error": " ".join(invalid.messages)}, status=400)
    return JsonResponse({"id": image.pk, "markdown": markdown(image)}, status=201)


# The story column is 650 pixels wide; a picture in the body is the rendition nearest that.
BODY_PICTURE_WIDTH = 650


def markdown(image) -> str:
    """How a body shows ``image``: the configured rendition nearest the story column's width."""
    width, height = min(settings.IMAGE_SIZES, key=lambda size: abs(size[0] - BODY_PICTURE_WIDTH))
    alt = image.alt.replace("[", "(").replace("]", ")")
    return f"![{alt}]({image.rendition_url(width, height)})"
