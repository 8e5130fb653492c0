"""The newsroom's side of the newsletter: subscribers, suppressions, picks, each digest's counts,
CSV exports and a preview of the digest as readers will get it."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from masthead.newsletters import composing, exporting, sending
from masthead.newsletters.models import Digest, Pick, Subscriber, Suppression


def _csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(exporting.rows_as_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.action(description=_("Export the chosen rows as CSV"))
def export_csv(modeladmin, request, queryset):
    fields = modeladmin.export_fields
    name = queryset.model._meta.model_name
    return _csv_response(f"{name}s-{timezone.localdate()}.csv", list(fields),
                         queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000))


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "edition", "confirmed_at", "source")
    list_filter = ("edition", "sections")
    search_fields = ("email",)
    filter_horizontal = ("sections",)
    actions = [export_csv]
    export_fields = ("email", "edition", "confirmed_at", "source")
    show_full_result_count = False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("email", "reason", "created_at")
    list_filter = ("reason",)
    search_fields = ("email",)
    actions = [export_csv]
    export_fields = ("email", "reason", "created_at")


@admin.register(Pick)
class PickAdmin(admin.ModelAdmin):
    list_display = ("day", "edition", "position", "article")
    list_filter = ("edition",)
    raw_id_fields = ("article",)
    date_hierarchy = "day"


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("day", "edition", "subject", "recipients", "sent", "failed", "started_at", "finished_at", "preview")
    list_filter = ("edition",)
    actions = [export_csv]
    export_fields = ("day", "edition", "subject", "recipients", "sent", "failed", "started_at", "finished_at")
    readonly_fields = [f.name for f in Digest._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # digests are made by `masthead send_digest`

    @admin.display(description=_("preview"))
    def preview(self, digest):
        return format_html('<a href="{}">{}</a>', reverse("admin:newsletters_digest_preview_of", args=[digest.pk]),
                           _("preview"))

    def get_urls(self):
        return [
            path("preview/<str:edition>/", self.admin_site.admin_view(self.preview_next),
                 name="newsletters_digest_preview"),
            path("<int:digest_id>/preview/", self.admin_site.admin_view(self.preview_sent),
                 name="newsletters_digest_preview_of"),
            *super().get_urls(),
        ]

    def _html(self, digest: Digest) -> HttpResponse:
        _text, html = composing.Composer(digest).bodies()
        response = HttpResponse(html.replace(composing.UNSUBSCRIBE_MARK, "#unsubscribe"))
        # What the newsroom previews comes from our own templates, but mail HTML is not the site:
        # it may load nothing but pictures.
        response["Content-Security-Policy"] = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'"
        response["X-Robots-Tag"] = "noindex"
        return response

    def preview_next(self, request, edition: str):
        """The digest that `masthead send_digest --edition EDITION` would send now."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        if edition not in dict(settings.LANGUAGES):
            return HttpResponse(_("There is no %(edition)s edition.") % {"edition": edition[:20]}, status=404)
        return self._html(sending.digest_for(edition=edition, at=timezone.now(), create=False))

    def preview_sent(self, request, digest_id: int):
        digest = Digest.objects.filter(pk=digest_id).first()
        if digest is None or not self.has_view_permission(request, digest):
            return HttpResponse(status=404)
        return self._html(digest)
