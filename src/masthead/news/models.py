"""Articles and what they are filed under: sections, tags and authors."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from masthead import sanitize


class Section(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order in the navigation."))

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("news:section", args=[self.slug])

    @property
    def surrogate_key(self) -> str:
        return f"section-{self.pk}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:80] or f"tag-{timezone.now():%s}"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("news:tag", args=[self.slug])

    @property
    def surrogate_key(self) -> str:
        return f"tag-{self.pk}"


class Author(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("biography"), blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="author", verbose_name=_("newsroom account"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("news:author", args=[self.slug])

    @property
    def surrogate_key(self) -> str:
        return f"author-{self.pk}"


class ArticleQuerySet(models.QuerySet):
    def visible(self, *, at=None):
        """The one definition of what a reader may see: published, and not in the future."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=at or timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-id")

    def next_scheduled_time(self):
        """When the next scheduled story becomes visible, or None."""
        return (self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
                .order_by("published_at").values_list("published_at", flat=True).first())


class Article(models.Model):
    """A story. Its id is the paper's News ID, shown on the page and used in every URL."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=True, blank=True)
    kicker = models.CharField(_("kicker"), max_length=80, blank=True)
    headline = models.CharField(_("headline"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown: ## headings, lists, > quotes, [links](https://…)."))
    body_html = models.TextField(editable=False, blank=True)
    source = models.CharField(_("source credit"), max_length=120, blank=True,
                              help_text=_("Who the story is credited to, e.g. Press TV or IRNA."))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section"))
    authors = models.ManyToManyField(Author, blank=True, related_name="articles", verbose_name=_("authors"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        help_text=_("UTC. A future time schedules the story."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    related_ids = models.JSONField(default=list, blank=True, editable=False,
                                   help_text="News IDs of related stories, chosen when the story is saved.")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at", "id"], name="article_visible"),
            models.Index(fields=["section", "status", "published_at", "id"], name="article_section_visible"),
            models.Index(fields=["updated_at"], name="article_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.headline}"

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            raise ValidationError({"published_at": _("A published story needs a publication time.")})

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:120].strip("-") or "story"
        self.body_html = sanitize.render_markdown(self.body)
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("news:article", args=[self.pk, self.slug])

    def is_visible(self, *, at=None) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at is not None and \
            self.published_at <= (at or timezone.now())

    @property
    def surrogate_key(self) -> str:
        return f"article-{self.pk}"
