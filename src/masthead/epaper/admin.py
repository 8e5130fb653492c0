"""The e-paper in the newsroom: upload an issue with progress, correct a page's text, confirm story regions."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _, gettext_lazy

from masthead.epaper import regions
from masthead.epaper.importing import ImportRefused, importing, purge_issue
from masthead.epaper.models import Issue, Page, Region


class UploadForm(forms.Form):
    pdf = forms.FileField(label=gettext_lazy("The issue's PDF"),
                          help_text=gettext_lazy("The whole issue as one PDF, pages in order."))
    date = forms.DateField(label=gettext_lazy("Date"), help_text=gettext_lazy("Like 2021-04-12."))
    number = forms.IntegerField(label=gettext_lazy("Issue number"), required=False, min_value=1)
    special = forms.CharField(label=gettext_lazy("Special issue's name"), required=False, max_length=200,
                              help_text=gettext_lazy("Leave empty for the daily paper."))


class PageInline(admin.TabularInline):
    model = Page
    fields = ["number", "thumbnail", "text", "corrected_text"]
    readonly_fields = ["number", "thumbnail", "text"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("Page"))
    def thumbnail(self, page):
        return format_html('<a href="{}"><img src="{}" width="80" alt="{}"></a>', page.get_absolute_url(),
                           page.issue.scan(page.number, "thumb"), _("Page %(n)s") % {"n": page.number})


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "number", "title", "imported_at", "reader_link"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["=number", "title"]
    show_full_result_count = False
    fields = ["date", "kind", "number", "title", "imported_at", "reader_link"]
    readonly_fields = ["date", "kind", "number", "title", "imported_at", "reader_link"]
    inlines = [PageInline]
    actions = ["suggest_regions"]

    @admin.display(description=gettext_lazy("On the site"))
    def reader_link(self, issue):
        return format_html('<a href="{}">{}</a>', issue.get_absolute_url(), issue.get_absolute_url())

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", upload, name="epaper_issue_upload"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return self.upload_view(request)

    def upload_view(self, request):
        """A form; once sent, the import's progress streams into the page as its pages are rendered."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return StreamingHttpResponse(self._progress(request, form.cleaned_data), content_type="text/html; charset=utf-8")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Upload an issue")}
        return render(request, "admin/epaper/issue/upload.html", context)

    def _progress(self, request, data):
        yield render_to_string("admin/epaper/issue/progress_start.html", {"date": data["date"]}, request=request)
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "issue.pdf"
            with open(source, "wb") as out:
                for chunk in data["pdf"].chunks():
                    out.write(chunk)
            steps = importing(source, date=data["date"], number=data["number"], special=data["special"] or None)
            try:
                while True:
                    done, total = next(steps)
                    yield format_html('<p class="epaper-progress"><progress value="{}" max="{}">{} / {}</progress> {}</p>\n',
                                      done, total, done, total,
                                      _("Rendered %(done)s of %(total)s pages") % {"done": done, "total": total})
            except StopIteration as finished:
                result = finished.value
                message = _("Imported %(issue)s with %(pages)s pages.") if result.changed else \
                    _("%(issue)s was already imported from this PDF; nothing changed.")
                yield format_html('<p class="epaper-done">{} <a href="{}">{}</a> · <a href="{}">{}</a></p>',
                                  message % {"issue": result.issue, "pages": result.pages},
                                  reverse("admin:epaper_issue_change", args=[result.issue.pk]), _("Correct its pages"),
                                  result.issue.get_absolute_url(), _("See it on the site"))
            except ImportRefused as error:
                yield format_html('<p class="errornote">{} {}</p>', error, _("Nothing was imported."))
        yield '<p><a href="{}">{}</a></p></div></body></html>'.format(reverse("admin:epaper_issue_changelist"),
                                                                       _("Back to the issues"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        purge_issue(form.instance)  # a corrected text is what readers and search see

    @admin.action(description=gettext_lazy("Suggest story regions from headlines on the pages"))
    def suggest_regions(self, request, queryset):
        made = sum(len(regions.suggest(issue)) for issue in queryset)
        self.message_user(request, _("%(n)s regions suggested; confirm them under Regions.") % {"n": made},
                          messages.SUCCESS)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["page", "article", "confirmed", "x", "y", "width", "height"]
    list_filter = ["confirmed"]
    list_select_related = ["page__issue", "article"]
    raw_id_fields = ["page", "article"]
    actions = ["confirm", "hide"]

    def delete_model(self, request, obj):
        purge_issue(obj.page.issue, regions=[obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for region in queryset.select_related("page__issue"):
            purge_issue(region.page.issue, regions=[region])
        super().delete_queryset(request, queryset)

    @admin.action(description=gettext_lazy("Confirm: show to readers"))
    def confirm(self, request, queryset):
        count = regions.confirm(queryset.select_related("page__issue"))
        self.message_user(request, _("%(n)s regions confirmed.") % {"n": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Hide from readers"))
    def hide(self, request, queryset):
        count = regions.confirm(queryset.select_related("page__issue"), confirmed=False)
        self.message_user(request, _("%(n)s regions hidden.") % {"n": count}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if change and "article" in form.changed_data:  # the story it pointed at loses its "In print" line
            purge_issue(obj.page.issue, regions=[Region.objects.get(pk=obj.pk)])
        super().save_model(request, obj, form, change)
        purge_issue(obj.page.issue, regions=[obj])
