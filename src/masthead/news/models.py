"""Articles and what they are filed under: sections, tags and authors."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from masthead import sanitize
from masthead.delivery import keys
from masthead.news.addresses import address

# Edits within this time of publication (a typo fixed at once) do not earn an Updated line.
UPDATE_GRACE = timedelta(minutes=5)
# What a teaser (home, lists, related stories) shows of a story.
TEASER_FIELDS = ("id", "slug", "kicker", "headline", "summary", "published_at", "section_id", "language")
# When a story last changed for a reader: its last edit, or its publication if that came later (a
# story scheduled before it went out). The API's sync orders by it, through an index on it.
CHANGED_AT = Greatest("updated_at", Coalesce("published_at", "updated_at"))


class Section(models.Model):
    """A part of the paper, named in the navigation of every page.

    Change one through ``stories.taxonomy.save()`` and ``delete()``: they purge every page that shows
    it. ``save()`` and ``delete()`` here purge nothing, and readers keep the old navigation.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    # The Persian edition's name for the section; blank, it shows the English name.
    name_fa = models.CharField(_("Persian name"), max_length=80, blank=True,
                               help_text=_("What the Persian edition calls the section, e.g. سیاست."))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order in the navigation."))

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def edition_name(self) -> str:
        """The section's name in the edition being served."""
        if self.name_fa and translation.get_language() == "fa":
            return self.name_fa
        return self.name

    def get_absolute_url(self) -> str:
        return address("news:section", self.slug)

    @property
    def surrogate_key(self) -> str:
        return keys.section(self.pk)


class Tag(models.Model):
    """A subject stories are filed under, named on each of their pages.

    Change one through ``stories.taxonomy.save()`` and ``delete()``: they purge every page that shows
    it. ``save()`` and ``delete()`` here purge nothing, and readers keep the old name.
    """

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
        return address("news:tag", self.slug)

    @property
    def surrogate_key(self) -> str:
        return keys.tag(self.pk)


class Author(models.Model):
    """A name in stories' bylines, with a page of their stories.

    Change one through ``stories.taxonomy.save()`` and ``delete()``: they purge every page that shows
    it. ``save()`` and ``delete()`` here purge nothing, and readers keep the old byline.
    """

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
        return address("news:author", self.slug)

    @property
    def surrogate_key(self) -> str:
        return keys.author(self.pk)


class ArticleQuerySet(models.QuerySet):
    def visible(self, *, at=None):
        """The one definition of what a reader may see: published, not in the future, not under embargo."""
        now = at or timezone.now()
        return self.filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
                           status=Article.Status.PUBLISHED, published_at__lte=now)

    def breaking(self, *, at=None):
        """Visible stories flagged as breaking news whose flag has not yet expired, newest first."""
        now = at or timezone.now()
        return self.visible(at=now).filter(breaking_until__gt=now).newest_first()

    def breaking_story(self, *, at=None):
        """The newest of ``breaking()``, or None: what the home page's banner shows."""
        now = at or timezone.now()
        # Few stories are flagged at any time: read them through the breaking_until index and
        # check visibility on those rows. Asked in one query, SQLite without statistics walks
        # every visible story instead (0.5 s at 300,000 stories). Unordered (the newest is chosen
        # here): asked newest first, it walks every story by article_published to skip a sort.
        flagged = self.filter(breaking_until__gt=now).order_by().only(
            "id", "slug", "language", "headline", "breaking_until", "status", "published_at", "embargo_until")
        return max((a for a in flagged if a.is_visible(at=now)), key=lambda a: (a.published_at, a.pk), default=None)

    def newest_first(self):
        return self.order_by("-published_at", "-id")


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
    embargo_until = models.DateTimeField(
        _("embargo until"), null=True, blank=True,
        help_text=_("UTC. Not before: the story stays off the site until this time, whatever its publication time."))
    breaking_until = models.DateTimeField(
        _("breaking news until"), null=True, blank=True,
        help_text=_("UTC. While the story is visible and this time is ahead, the home page carries a breaking-news banner."))
    lead_image = models.ForeignKey("media.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("lead image"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="articles_created", editable=False, verbose_name=_("created by"))
    corrected_at = models.DateTimeField(_("last corrected at"), null=True, blank=True, editable=False)
    # Optimistic locking: every save adds one, and a form saved from an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    related_ids = models.JSONField(default=list, blank=True, editable=False,
                                   help_text="News IDs of related stories, chosen when the story is saved.")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        # The newsroom's word, as the README's: editors write stories (the code keeps "article").
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at", "id"], name="article_visible"),
            models.Index(fields=["section", "status", "published_at", "id"], name="article_section_visible"),
            models.Index(fields=["updated_at"], name="article_updated"),
            # The newsroom list: newest first (by News ID) within a state (``article_sitemap`` below
            # begins with state and News ID), a section or an author.
            models.Index(fields=["section", "id"], name="article_section_id"),
            # A section's published stories newest first, their publication time read from the index
            # itself: "section + published + search" walks a few index pages instead of every story.
            models.Index(fields=["section", "status", "id", "published_at"], name="article_section_state_id"),
            # A person's stories (a reporter's list, the desk's drafts), newest first. Only stories
            # someone wrote here: an imported archive has no writer, and with every story of a
            # 300,000-story import counted under one empty value, SQLite's statistics made the
            # index look useless and the desk's drafts read the whole table (1.5 s).
            models.Index(fields=["created_by", "id"], name="article_created_by_id",
                         condition=models.Q(created_by__isnull=False)),
            # The newsroom's date filter ("past 7 days"), whatever the state: its capped count reads
            # this range, where without it every state's stretch of ``article_visible`` is read
            # (54 ms at 1,000,000 stories, growing with the archive).
            models.Index(fields=["published_at"], name="article_published"),
            models.Index(fields=["breaking_until"], name="article_breaking"),
            # The API's sync reads changes since a moment in this order: a page is read from the
            # index, not by sorting every story changed since (9 s from the first of 1,000,000).
            models.Index(CHANGED_AT, "id", name="article_changed"),
            # A sitemap page's newest change, read from this index alone over its News ID range:
            # from the rows, each of the 20 pages of 1,000,000 stories scanned the whole table.
            models.Index(fields=["status", "id", "published_at", "embargo_until", "updated_at", "created_at"],
                         name="article_sitemap"),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish stories"),
            ("edit_any_article", "Can edit other people's stories and stories past draft"),
            ("correct_article", "Can add corrections to published stories"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_time",
            ),
            models.CheckConstraint(
                condition=Q(embargo_until__isnull=True) | Q(published_at__isnull=True) | Q(published_at__gte=F("embargo_until")),
                name="published_not_before_embargo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.headline}"

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            raise ValidationError({"published_at": _("A published story needs a publication time.")})
        self._respect_embargo()

    def _respect_embargo(self):
        # An embargo is a floor under the publication time: publishing "now" a story embargoed
        # until 0001 GMT schedules it for 0001 GMT, and the page says when it really appeared.
        if self.embargo_until and self.published_at and self.published_at < self.embargo_until:
            self.published_at = self.embargo_until

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:120].strip("-") or "story"
        self.body_html = sanitize.render_markdown(self.body)
        self.updated_at = timezone.now()
        self._respect_embargo()
        if self._state.adding:
            super().save(*args, **kwargs)
        else:
            # Counted in the database, so a save from a stale copy cannot move the version backwards.
            self.version = F("version") + 1
            super().save(*args, **kwargs)
            self.refresh_from_db(fields=["version"])

    def get_absolute_url(self) -> str:
        # In the story's own edition whatever page links to it: a Persian story lives under /fa/.
        if self.language == translation.get_language():
            return address("news:article", self.pk, self.slug)
        with translation.override(self.language):
            return address("news:article", self.pk, self.slug)

    def listed(self, relation: str) -> list:
        """``list(self.<relation>.all())``: the authors, tags or corrections, from what was prefetched
        without building the relation's manager (an article page named its relations seven times,
        and each manager cost more than reading its list)."""
        prefetched = self.__dict__.get("_prefetched_objects_cache", {}).get(relation)
        if prefetched is not None and prefetched._result_cache is not None:
            return list(prefetched._result_cache)
        return list(getattr(self, relation).all())

    def is_visible(self, *, at=None) -> bool:
        now = at or timezone.now()
        return self.status == self.Status.PUBLISHED and self.published_at is not None and \
            self.published_at <= now and (self.embargo_until is None or self.embargo_until <= now)

    @property
    def state(self) -> str:
        """The newsroom's word for where the story is: draft, review, scheduled, published or unpublished."""
        if self.status == self.Status.PUBLISHED and not self.is_visible():
            return "scheduled"
        return self.status

    @property
    def shows_updated(self) -> bool:
        """Whether the page shows an Updated time: the story changed after it appeared."""
        return bool(self.published_at and self.updated_at and self.updated_at - self.published_at > UPDATE_GRACE)

    @property
    def surrogate_key(self) -> str:
        return keys.article(self.pk)


class Correction(models.Model):
    """A correction to a published story, printed at its foot and on the public corrections page."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("story"))
    text = models.TextField(_("correction"), help_text=_("What was wrong and what is right, as readers will read it."))
    created_at = models.DateTimeField(_("corrected at"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("corrected by"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.text[:60]}"


class HeadlineWord(models.Model):
    """One word of a story's headline, so the newsroom finds "region" in "Leave the region" by an index seek."""

    MAX_LENGTH = 40

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=MAX_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["word", "article"], name="headline_word")]

    @staticmethod
    def words(headline: str) -> set[str]:
        return {w[: HeadlineWord.MAX_LENGTH] for w in re.findall(r"\w+", headline.lower())}

    @classmethod
    def index(cls, article: Article) -> None:
        """Keep the words of ``article``'s headline (called by ``stories.indexes.refresh`` on every change)."""
        cls.objects.filter(article=article).delete()
        cls.objects.bulk_create(cls(article=article, word=w) for w in sorted(cls.words(article.headline)))

    @classmethod
    def matching(cls, term: str):
        """Ids of stories with a headline word starting with ``term`` (a range seek on the index)."""
        low = term.lower()[: cls.MAX_LENGTH]
        return cls.objects.filter(word__gte=low, word__lt=low + "\U0010ffff").values("article_id")
