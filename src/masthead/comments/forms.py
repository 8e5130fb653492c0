"""The reader's comment form: what is typed, checked for length and for text that is not text."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# C0 controls other than tab and newlines, DEL, C1 controls, and U+FFFD, which is what bytes
# that were not valid UTF-8 become when Django decodes the form.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# The honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling bots.
HONEYPOT = "website"


def _plain_text(value: str) -> str:
    if NOT_TEXT.search(value):
        raise forms.ValidationError(
            _("This contains characters that are not text (control characters or a broken encoding): "
              "retype it or paste it as plain text."), code="not_text")
    return value


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, strip=True)
    email = forms.EmailField(label=_("Email (optional, never shown)"), required=False, max_length=254)
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 6}), strip=False)
    key = forms.CharField(label=_("Security Key"), required=False, max_length=40)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    website = forms.CharField(required=False, label=_("Leave this field empty"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = settings.COMMENT_MAX_LENGTH
        self.fields["body"].widget.attrs["maxlength"] = self.max_length

    def clean_name(self):
        return _plain_text(self.cleaned_data["name"])

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write a comment before posting."), code="required")
        if len(body) > self.max_length:
            raise forms.ValidationError(
                _("Your comment is %(length)d characters long; the limit is %(limit)d. Shorten it and post again.")
                % {"length": len(body), "limit": self.max_length}, code="too_long")
        return _plain_text(body)

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, ""))
