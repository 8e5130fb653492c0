"""A story's reads per hour drawn as an SVG bar chart, on the server: a picture, with no script and no style."""

from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _, ngettext

from masthead import house

WIDTH, HEIGHT = 720, 240
LEFT, BOTTOM, TOP = 48, 28, 12


def reads_per_hour(points: list[tuple[datetime, int]], *, title: str) -> SafeString:
    """An accessible SVG (role="img", its title and summary as text) of ``points``: (hour, reads), oldest first."""
    peak = max((count for _, count in points), default=0)
    scale = max(peak, 1)
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(points), 1)
    total = sum(count for _, count in points)
    summary = ngettext("%(total)s read in %(hours)s hours, at most %(peak)s in an hour",
                       "%(total)s reads in %(hours)s hours, at most %(peak)s in an hour", total) % {
        "total": house.number(total), "hours": house.number(len(points)), "peak": house.number(peak)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="reads-chart" role="img" width="{WIDTH}" '
             f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="reads-chart-title reads-chart-desc">',
             f'<title id="reads-chart-title">{escape(title)}</title><desc id="reads-chart-desc">{escape(summary)}</desc>',
             f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - 8}" y2="{TOP + plot_height}" stroke="#444"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11" fill="#333">{house.number(peak)}</text>',
             f'<text x="{LEFT - 6}" y="{TOP + plot_height}" text-anchor="end" font-size="11" fill="#333">0</text>']
    for index, (hour, count) in enumerate(points):
        bar = plot_height * count / scale
        x = LEFT + index * step
        label = _("%(hour)s: %(count)s") % {"hour": f"{hour:%Y-%m-%d %H}:00 GMT", "count": house.number(count)}
        parts.append(f'<rect class="reads-bar" x="{x + 1:.1f}" y="{TOP + plot_height - bar:.1f}" '
                     f'width="{max(step - 2, 1):.1f}" height="{bar:.1f}" fill="#2a5d8f" data-reads="{count}">'
                     f'<title>{escape(label)}</title></rect>')
        if hour.hour % 6 == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" '
                         f'fill="#333">{hour:%H}:00</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
