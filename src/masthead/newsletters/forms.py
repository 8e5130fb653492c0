"""The newsroom's form for a special edition: the edition, the stories, an optional subject."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.news.models import Article
from masthead.newsletters import sending


class SpecialEditionForm(forms.Form):
    edition = forms.ChoiceField(label=_("Edition"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    stories = forms.TypedMultipleChoiceField(
        label=_("Stories of the last two days"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    more = forms.CharField(label=_("Other News IDs"), required=False, max_length=200,
                           help_text=_("Older stories, by News ID, separated by commas; they follow the ticked ones."))
    subject = forms.CharField(label=_("Subject"), required=False, max_length=250,
                              help_text=_("Empty: “<paper>: special edition, <day>”."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        recent = (Article.objects.visible().filter(published_at__gt=timezone.now() - timedelta(days=2))
                  .newest_first().values_list("pk", "language", "headline")[:100])
        self.fields["stories"].choices = [(pk, f"{pk} [{language}] {headline}") for pk, language, headline in recent]

    def clean_more(self) -> list[int]:
        ids = []
        for part in filter(None, (p.strip() for p in self.cleaned_data["more"].split(","))):
            if not part.isascii() or not part.isdigit():
                raise forms.ValidationError(_("%(part)s is not a News ID: give numbers separated by commas.")
                                            % {"part": part[:20]})
            ids.append(int(part))
        return ids

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        ids = list(dict.fromkeys([*data.get("stories", []), *data.get("more", [])]))
        try:
            self.chosen = sending.check_special(edition=data["edition"], story_ids=ids, subject=data["subject"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        data["story_ids"] = ids
        return data
