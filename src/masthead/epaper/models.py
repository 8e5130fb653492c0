"""The printed paper: issues and their pages, as imported from the PDFs the press received."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from masthead.search.text import fold


class IssueQuerySet(models.QuerySet):
    def dailies(self):
        return self.filter(kind=Issue.DAILY)

    def specials(self):
        return self.filter(kind=Issue.SPECIAL)

    def newest_first(self):
        return self.order_by("-date", "-id")


class Issue(models.Model):
    """One printed edition: the day's paper, or a special issue with its own name and numbering."""

    DAILY, SPECIAL = "daily", "special"
    KINDS = [(DAILY, _("Daily")), (SPECIAL, _("Special"))]

    date = models.DateField()
    kind = models.CharField(max_length=8, choices=KINDS, default=DAILY)
    # The paper's running issue number; dailies and specials are numbered apart.
    number = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200, blank=True)
    # A special's address on its date; empty for the daily paper.
    slug = models.SlugField(max_length=100, blank=True, allow_unicode=True)
    # sha256 of the source PDFs and the import's options: the same import twice changes nothing.
    fingerprint = models.CharField(max_length=64, db_index=True)
    # Where its files live, relative to MEDIA_ROOT; a new import writes a new folder.
    folder = models.CharField(max_length=200)
    imported_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["date", "kind", "slug"], name="epaper_issue_one_per_date_and_name"),
            models.UniqueConstraint(fields=["kind", "number"], condition=Q(number__isnull=False),
                                    name="epaper_issue_number_unique_per_kind"),
            models.CheckConstraint(condition=Q(kind="daily", slug="") | Q(kind="special") & ~Q(slug=""),
                                   name="epaper_issue_special_has_slug"),
        ]
        indexes = [models.Index(fields=["kind", "date"], name="epaper_issue_kind_date")]

    def __str__(self):
        return f"{self.title or self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def surrogate_key(self) -> str:
        return f"epaper-{self.date:%Y-%m-%d}" + (f"-{self.slug}" if self.slug else "")

    @property
    def moment(self) -> dt.datetime:
        """Midnight UTC of its date, for the house style's date formats."""
        return dt.datetime.combine(self.date, dt.time(), tzinfo=dt.timezone.utc)

    def address(self, name: str = "issue", *args) -> str:
        """The address of ``name`` (``issue``, ``issue-pdf``, ``page``, ``page-text``, ``page-pdf``) of this issue."""
        if self.slug:
            return reverse(f"epaper:special:{name}", args=(self.date, self.slug, *args))
        return reverse(f"epaper:{name}", args=(self.date, *args))

    def get_absolute_url(self) -> str:
        return self.address()

    def scan(self, page: int, size: str) -> str:
        """The address of page ``page``'s image at ``size`` (``large``, ``page``, ``thumb``)."""
        return reverse("epaper:scan", args=(self.pk, self.token, page, size))

    @property
    def token(self) -> str:
        """What the addresses of its images carry: a new import gives new addresses, so old ones may be cached forever."""
        return self.fingerprint[:16]


class Page(models.Model):
    """One page of an issue: its PDF, its renditions and its text."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveSmallIntegerField()
    # The page's size in PDF points (1/72 inch): story regions are drawn in these units.
    width = models.FloatField()
    height = models.FloatField()
    # sha256 of the page's own PDF: an editor's corrected text survives a re-import of the same page.
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True, help_text=_("The PDF's own text layer, as extracted."))
    corrected_text = models.TextField(
        blank=True,
        help_text=_("An editor's text of the page, shown and searched instead of the text layer when it is broken."),
    )
    # What search matches: the reading text folded as the site's search folds it (Arabic ي/ك as
    # Persian, the non-joiner dropped, digits alike) and in lower case. Kept by save() and the import.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["issue", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "number"], name="epaper_page_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="epaper_page_number_from_one"),
        ]

    def __str__(self):
        return f"{self.issue}, p. {self.number}"

    def get_absolute_url(self) -> str:
        return self.issue.address("page", self.number)

    @property
    def reading_text(self) -> str:
        """The text readers and search see: the editor's, when there is one."""
        return self.corrected_text or self.text

    def fold_text(self) -> None:
        """Bring ``search_text`` in step with the reading text (bulk writes call this themselves)."""
        self.search_text = searchable(self.reading_text)

    def save(self, *args, **kwargs):
        self.fold_text()
        super().save(*args, **kwargs)


def searchable(text: str) -> str:
    """``text`` (or a reader's word) as page search matches it."""
    return fold(text).lower()


class Region(models.Model):
    """A rectangle of a printed page that is a web story: a reader taps it to read the story.

    In PDF points (1/72 inch), measured from the page's top-left corner, as the page image shows it.
    A region found by the story's headline in the page's text is a suggestion until an editor confirms it.
    """

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="regions")
    article = models.ForeignKey("news.Article", on_delete=models.CASCADE, related_name="print_regions")
    x = models.FloatField()
    y = models.FloatField()
    width = models.FloatField()
    height = models.FloatField()
    confirmed = models.BooleanField(default=False, help_text=_("Only confirmed regions are shown to readers."))

    class Meta:
        ordering = ["page", "y", "x"]
        constraints = [
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0, x__gte=0, y__gte=0),
                                   name="epaper_region_is_a_rectangle_on_the_page"),
            models.UniqueConstraint(fields=["page", "article"], name="epaper_region_one_per_story_and_page"),
        ]

    def __str__(self):
        return f"{self.page}: {self.article_id}"

    def clean(self):
        from django.core.exceptions import ValidationError

        page = self.page
        if self.x + self.width > page.width + 0.5 or self.y + self.height > page.height + 0.5:
            raise ValidationError(_("The region runs off the page, which is %(w)s × %(h)s points.")
                                  % {"w": round(page.width), "h": round(page.height)})
