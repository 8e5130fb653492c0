"""The newsroom's side of the newsletter: subscribers, suppressions, picks, each digest's counts,
CSV exports and a preview of the digest as readers will get it."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from masthead.newsletters import composing, exporting, sending
from masthead.newsletters.forms import SpecialEditionForm
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
    list_display = ("day", "edition", "kind", "subject", "recipients", "sent", "failed", "started_at", "finished_at",
                    "preview")
    list_filter = ("edition", "kind")
    actions = [export_csv]
    export_fields = ("day", "edition", "kind", "subject", "recipients", "sent", "failed", "started_at", "finished_at")
    readonly_fields = [f.name for f in Digest._meta.concrete_fields]

    def has_add_permission(self, request):
        return False  # digests are made by `masthead send_digest`, special editions by special_edition()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "may_send_special": request.user.has_perm("newsletters.send_special_digest")}
        return super().changelist_view(request, extra_context)

    def special_edition(self, request):
        """Choose stories, see who would get them, then order the special edition (two steps)."""
        if not request.user.has_perm("newsletters.send_special_digest"):
            raise PermissionDenied
        form = SpecialEditionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if request.POST.get("confirmed") == "yes":
                digest = sending.queue_special(edition=data["edition"], story_ids=data["story_ids"],
                                               subject=data["subject"], by=request.user)
                self.message_user(request, _("The special edition “%(subject)s” goes out to the %(edition)s "
                                             "subscribers within five minutes.")
                                  % {"subject": digest.subject, "edition": digest.edition}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:newsletters_digest_changelist"))
            return TemplateResponse(request, "admin/newsletters/digest/special_confirm.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                "title": _("Send this special edition?"), "stories": form.chosen,
                "subject": data["subject"].strip() or composing.special_subject(edition=data["edition"],
                                                                                at=timezone.now()),
                "recipients": sending.recipients(data["edition"]).count(), "edition": data["edition"],
                "hidden": [(name, value) for name in ("edition", "more", "subject")
                           for value in [request.POST.get(name, "")]]
                + [("stories", value) for value in request.POST.getlist("stories")],
            })
        return TemplateResponse(request, "admin/newsletters/digest/special.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "title": _("Send a special edition"),
        })

    @admin.display(description=_("preview"))
    def preview(self, digest):
        return format_html('<a href="{}">{}</a>', reverse("admin:newsletters_digest_preview_of", args=[digest.pk]),
                           _("preview"))

    def get_urls(self):
        return [
            path("special/", self.admin_site.admin_view(self.special_edition), name="newsletters_digest_special"),
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
