"""Times typed in the newsroom: a date and a 24-hour GMT time, as the house writes them (0535 GMT)."""

import re
from datetime import date, datetime, time, timezone as dt_timezone

from django import forms
from django.utils.translation import gettext as _, gettext_lazy

# 0535, 05:35 or 05:35:20 — the house writes 0535; seconds are for the desk's exact schedules.
TIME = re.compile(r"^([01]\d|2[0-3]):?([0-5]\d)(?::?([0-5]\d))?$")
TIME_PATTERN = r"([01][0-9]|2[0-3]):?[0-5][0-9](:?[0-5][0-9])?"


class Unreadable(ValueError):
    """A date or time that cannot be read; the message names the field and shows what to type."""


def moment(*, day: str, clock: str, field: str) -> datetime:
    """The UTC moment of ``day`` (2026-12-02) at ``clock`` (0535, 05:35 or 05:35:20, GMT)."""
    try:
        on = date.fromisoformat((day or "").strip())
    except ValueError:
        raise Unreadable(_("%(field)s: give the date as year-month-day, like 2026-12-02.") % {"field": field}) from None
    found = TIME.match((clock or "").strip())
    if found is None:
        raise Unreadable(_("%(field)s: give the time as 24-hour GMT, like 0535 or 17:05.") % {"field": field})
    hour, minute, second = (int(part or 0) for part in found.groups())
    return datetime.combine(on, time(hour, minute, second), tzinfo=dt_timezone.utc)


class GmtMomentWidget(forms.MultiWidget):
    """A date picker and a 24-hour GMT time box: a browser's own time picker follows its locale (1:35 PM)."""

    template_name = "newsroom/widgets/gmt_moment.html"

    def __init__(self, attrs=None):
        super().__init__([
            forms.DateInput(attrs={"type": "date", "class": "gmt-date"}, format="%Y-%m-%d"),
            forms.TextInput(attrs={"class": "gmt-time", "inputmode": "numeric", "pattern": TIME_PATTERN, "size": 8,
                                   "placeholder": "0535", "autocomplete": "off"}),
        ], attrs)

    def decompress(self, value):
        if not value:
            return [None, None]
        value = value.astimezone(dt_timezone.utc)
        return [value.date(), f"{value:%H%M}" if not value.second else f"{value:%H:%M:%S}"]


class GmtMomentField(forms.MultiValueField):
    """A moment typed as a date and a 24-hour GMT time; refused with a message naming the field."""

    widget = GmtMomentWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", gettext_lazy("GMT, 24-hour: 0535 is 5.35 in the morning."))
        super().__init__(fields=[forms.CharField(), forms.CharField()], require_all_fields=False, **kwargs)

    def compress(self, data_list):
        day, clock = (list(data_list) + ["", ""])[:2]
        if not day and not clock:
            return None
        try:
            return moment(day=day, clock=clock, field=str(self.label))
        except Unreadable as problem:
            raise forms.ValidationError(str(problem), code="unreadable") from None
