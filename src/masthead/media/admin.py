"""The media library in the newsroom: upload, describe, find and reuse pictures."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from masthead.media import describing, uploads
from masthead.media.models import Image


class UploadForm(forms.ModelForm):
    upload = forms.FileField(label=_("Image file"), required=False,
                             help_text=_("JPEG, PNG or WebP. Camera and location data are removed."))

    class Meta:
        model = Image
        fields = ["alt", "caption", "credit", "focal_x", "focal_y"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if self.instance.pk is None:
            if not upload:
                raise forms.ValidationError(_("Choose an image file to upload."))
            self.prepared = uploads.prepare(upload)
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = UploadForm
    list_display = ["thumbnail", "id", "alt", "credit", "dimensions", "uploaded_at"]
    list_display_links = ["thumbnail", "id", "alt"]
    search_fields = ["=id", "alt", "caption", "credit"]
    show_full_result_count = False
    readonly_fields = ["large_preview", "markdown", "dimensions", "uploaded_by", "uploaded_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            # The focal point is set once the picture can be seen, on the next screen.
            return ["upload", "alt", "caption", "credit"]
        return ["large_preview", "markdown", "alt", "caption", "credit", "focal_x", "focal_y", "dimensions",
                "uploaded_by", "uploaded_at"]

    @admin.display(description=_("Picture"))
    def thumbnail(self, image):
        return format_html('<img src="{}" width="160" height="90" alt="{}" loading="lazy">',
                           image.rendition_url(320, 180), image.alt)

    @admin.display(description=_("Preview"))
    def large_preview(self, image):
        return format_html('<img src="{}" width="480" height="270" alt="{}">', image.rendition_url(480, 270), image.alt)

    @admin.display(description=_("In a story body"))
    def markdown(self, image):
        return format_html("<code>![{}]({})</code>", image.alt, image.rendition_url(650, 365))

    @admin.display(description=_("Size"))
    def dimensions(self, image):
        return f"{image.width}×{image.height}, {image.get_format_display()}, {image.size_bytes // 1000} kB"

    def save_model(self, request, obj, form, change):
        if change:
            describing.describe(obj)
        else:
            obj.uploaded_by = request.user
            uploads.store(form.prepared, image=obj)
