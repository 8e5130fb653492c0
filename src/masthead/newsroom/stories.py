"""The story admin: a list that stays fast at 300,000 stories, and a form that refuses stale saves."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.core.paginator import Paginator
from django.db import transaction
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _t, gettext_lazy as _

from masthead import house, parameters
from masthead.delivery import purge
from masthead.news import tagging
from masthead.news.models import Article, HeadlineWord
from masthead.newsroom import desk, moments, writing
from masthead.newsroom import live as live_desk
from masthead.stories import changes, hygiene, rules
from masthead.syndication.models import LanguageEdition

Status = Article.Status


class CappedPaginator(Paginator):
    """Counts no further than ``cap`` rows: an exact count of 300,000 stories on every list page is what
    makes lists slow. The story admin sets the cap ten pages past the page shown, so paging goes on."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap: int = 10_000):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap, self.capped = cap, False

    @cached_property
    def count(self):
        # Unordered, so the database may count through whichever index fits the filter best.
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


class StoryChangeList(ChangeList):
    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        # Django's own ?authors__id__exact=7 joins the story-author table and then needs DISTINCT over
        # every column (167 ms at 300,000 stories); the author filter's subquery finds the same stories.
        author = lookup_params.pop("authors__id__exact", None)
        if author is not None and AuthorFilter.parameter_name not in lookup_params:
            lookup_params[AuthorFilter.parameter_name] = author
        return lookup_params

    def url_for_result(self, result):
        # Django reverses the change URL for each linked cell of each row; it differs only by id.
        if not hasattr(self, "_change_prefix"):
            url = reverse("admin:news_article_change", args=[0], current_app=self.model_admin.admin_site.name)
            self._change_prefix = url[: -len("0/change/")]
        return f"{self._change_prefix}{result.pk}/change/"


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(Status.DRAFT, _("Draft")), (Status.REVIEW, _("In review")), ("scheduled", _("Scheduled")),
                (Status.PUBLISHED, _("Published")), (Status.UNPUBLISHED, _("Unpublished"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            # Saving keeps published_at at or after any embargo, so this one range covers both.
            return queryset.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())
        if value == Status.PUBLISHED:
            # What visible() means, less its embargo test: the published_not_before_embargo constraint
            # keeps published_at at or after any embargo, so a past published_at is a past embargo too.
            # Without embargo_until the filter is answered from the article_section_state_id index alone.
            return queryset.filter(status=Status.PUBLISHED, published_at__lte=timezone.now())
        if value in (Status.DRAFT, Status.REVIEW, Status.UNPUBLISHED):
            return queryset.filter(status=value)
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """By author: a name (its start) or id typed in, or "mine". Listing every author would cost each list page."""

    title = _("author")
    parameter_name = "author"
    template = "admin/newsroom/author_filter.html"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine"))]

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        through = Article.authors.through.objects
        if value == "mine":
            chosen = through.filter(author__user=request.user)
        elif value.isdigit():
            chosen = through.filter(author_id=int(value))
        else:
            chosen = through.filter(author__name__istartswith=value)
        # A subquery, not a join: a story with two matching authors is listed once.
        return queryset.filter(pk__in=chosen.values("article_id"))

    def choices(self, changelist):
        yield {"selected": self.value() is None, "query_string": changelist.get_query_string(remove=[self.parameter_name]),
               "display": _("All"), "value": self.value() or "",
               "hidden": [(k, v) for k, values in changelist.get_filters_params().items() if k != self.parameter_name
                          for v in (values if isinstance(values, list) else [values])]
               + ([("q", changelist.query)] if changelist.query else [])}
        yield {"selected": self.value() == "mine", "query_string": changelist.get_query_string({self.parameter_name: "mine"}),
               "display": _("Mine")}


# How many of the newest stories matching a search of several headline words the list reads (20 pages).
SEARCH_MATCHES = 1000
# The buttons of a new story's form besides saving it as a draft: its first move, made as it is filed.
FIRST_MOVES = {"submit", "publish", "schedule"}


class ArticleForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_tags = forms.CharField(label=_("New tags"), required=False,
                               help_text=_("Comma-separated; tags that do not exist yet are created."))
    translation_of = forms.IntegerField(
        label=_("Translation of (News ID)"), required=False, min_value=1, max_value=parameters.MAX_ID,
        help_text=_("The News ID of the same story in the other edition: each page then links to the other."))

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version if self.instance.pk else None
        if self.instance.pk:
            self.fields["translation_of"].initial = translation_partner(self.instance.pk)
        # A story may be Persian or English: each text field takes the direction of what is typed.
        if "body" in self.fields:
            self.fields["body"].widget = writing.BodyEditor()
        for name in ("kicker", "headline", "slug", "summary", "body", "source", "new_tags"):
            if name in self.fields:
                self.fields[name].widget.attrs["dir"] = "auto"
        for name in writing.LIMITS:
            if name in self.fields:
                writing.counted(self.fields[name].widget, name)
        if "embargo_until" in self.fields:
            model_field = Article._meta.get_field("embargo_until")
            self.fields["embargo_until"] = moments.GmtMomentField(
                required=False, label=model_field.verbose_name.capitalize(), help_text=model_field.help_text)
        if self.instance.pk is None:  # a new story may be scheduled as it is filed
            self.fields["schedule_at"] = moments.GmtMomentField(required=False, label=_("Publish at"))
        else:
            self.fields.pop("schedule_at", None)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and self.data.get("_move") == "schedule":
            at = cleaned.get("schedule_at")
            if at is None and "schedule_at" not in self.errors:
                self.add_error("schedule_at", _t("Publish at: choose the date and the GMT time to publish at."))
            elif at is not None and at <= timezone.now():
                self.add_error("schedule_at", _t("Publish at: %(when)s has already passed; choose a later time, or "
                                                 "publish now.") % {"when": house.dateline(at)})
        for name, message in hygiene.problems({name: cleaned.get(name) for name in (*hygiene.TEXT_FIELDS, "new_tags")}).items():
            self.add_error(name, message)
        self._check_translation(cleaned)
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            stored = Article.objects.filter(pk=self.instance.pk)
            if transaction.get_connection().in_atomic_block:
                stored = stored.select_for_update()  # held until this save commits
            current = stored.values_list("version", flat=True).first()
            if current is not None and current != loaded:
                stale = changes.StaleVersion(article_id=self.instance.pk, read=loaded, stored=current)
                raise forms.ValidationError(stale.message, code="stale")
        return cleaned

    def _check_translation(self, cleaned: dict) -> None:
        other = cleaned.get("translation_of")
        if not other:
            return
        language = Article.objects.filter(pk=other).values_list("language", flat=True).first()
        if other == self.instance.pk:
            self.add_error("translation_of", _t("A story cannot be its own translation."))
        elif language is None:
            self.add_error("translation_of", _t("No story has News ID %(id)s.") % {"id": other})
        elif language == cleaned.get("language"):
            self.add_error("translation_of", _t("Story %(id)s is in this story's language too: a translation is in "
                                                "the other edition's language.") % {"id": other})

    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data.get("new_tags", "").split(",") if name.strip()]


def translation_partner(news_id: int) -> int | None:
    """The News ID of a story linked to ``news_id`` as its translation, or None."""
    key = LanguageEdition.objects.filter(article_id=news_id).values_list("story", flat=True).first()
    if key is None:
        return None
    return (LanguageEdition.objects.filter(story=key).exclude(article_id=news_id).order_by("article_id")
            .values_list("article_id", flat=True).first())


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    change_form_template = "admin/news/article/change_form.html"
    list_display = ["id", "headline", "state_label", "section_name", "published"]
    list_display_links = ["id", "headline"]
    list_filter = [StateFilter, "section", AuthorFilter, ("published_at", admin.DateFieldListFilter), "language"]
    # Sections come by a second small query (prefetch), not a join: with a join, SQLite's planner
    # walks the stories section by section and sorts them all, instead of reading newest first.
    list_select_related = False
    search_fields = ["headline"]  # see get_search_results: a News ID, or the start of a headline
    search_help_text = _("A News ID, or words of a headline (their beginnings will do: “tehr” finds Tehran).")
    ordering = ["-id"]
    list_per_page = 50
    # Counting 300,000 rows on every list page is what makes admin lists slow at newsroom scale.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per filter choice over every story
    autocomplete_fields = ["tags", "authors"]
    raw_id_fields = ["lead_image"]

    actions = ["publish_now", "unpublish"]

    class Media:
        js = ["newsroom/countdown.js", "newsroom/writing.js"]
        css = {"all": ["newsroom/writing.css"]}

    def has_publish_permission(self, request):
        return rules.can_publish(request.user)

    def _each(self, request, queryset, move, done: str):
        moved, refused = 0, []
        for article in queryset:
            try:
                move(article, by=request.user)
                moved += 1
            except changes.WorkflowError as error:
                refused.append(f"{article.pk}: {error}")
        if moved:
            self.message_user(request, done % {"count": moved}, messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)

    @admin.action(description=_("Publish selected stories now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        self._each(request, queryset, changes.publish, _t("Stories published: %(count)d."))

    @admin.action(description=_("Unpublish selected stories"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._each(request, queryset, changes.unpublish, _t("Stories unpublished: %(count)d."))

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page = parameters.whole_number(request.GET.get("p", "1"), name="p", low=1, high=1_000_000)
        except parameters.BadParameter:
            page = 1
        return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page, cap=(page + 10) * per_page)

    def get_fieldsets(self, request, obj=None):
        # The breaking-news banner is set on the desk, beside the story, with its expiry: one control.
        publication = ["status", "published_at", "embargo_until", "id", "created_at", "updated_at"]
        return [
            (None, {"fields": ["kicker", "headline", "slug", "summary", "body", "lead_image", "source", "loaded_version"]}),
            (_("Filing"), {"fields": ["section", "authors", "tags", "new_tags", "language", "translation_of"]}),
            (_("Publication"), {"fields": publication}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # States move only through the desk's buttons, so that each move is checked and logged.
        fields = ["status", "published_at", "id", "created_at", "updated_at"]
        if not rules.can_publish(request.user):
            fields += ["embargo_until"]
        return fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("section")
        if request.resolver_match and request.resolver_match.url_name == "news_article_changelist":
            queryset = queryset.defer("body", "body_html", "related_ids")  # the list shows none of them
        if request.user.has_perm("news.edit_any_article"):
            return queryset
        return queryset.filter(created_by=request.user)  # a reporter sees their own stories only

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return rules.can_edit(request.user, obj)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(pk=int(term)), False
        # Every word typed must begin a word of the headline: a range seek per word on headline_word,
        # intersected inside that index before any story row is read.
        found = [HeadlineWord.matching(word) for word in sorted(HeadlineWord.words(term))]
        if not found:
            return queryset.none(), False
        if len(found) == 1:
            return queryset.filter(pk__in=found[0]), False
        # Several words: intersected once, as ids, newest first and at most SEARCH_MATCHES of them, so
        # the page and its capped count seek these ids by key instead of each intersecting the words'
        # index ranges again (twice the work at 300,000 stories). Each id is a query parameter: keep
        # the cap small, or building the two queries costs more than the intersection saved.
        matches = found[0].intersection(*found[1:]).order_by("-article_id")[:SEARCH_MATCHES]
        return queryset.filter(pk__in=[row["article_id"] for row in matches]), False

    def action_checkbox(self, article):
        # Django renders this through a form widget and the template engine, row by row: a third of
        # the list page's time. The same markup, written directly.
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           ACTION_CHECKBOX_NAME, article.pk, format_html(_t("Select this object for an action - {}"), str(article)))

    @admin.display(description=_("State"))
    def state_label(self, article):
        state = article.state
        if state == "scheduled":
            return format_html('<span class="state state-scheduled">{}</span> {}', _t("Scheduled"),
                               desk.countdown_time(article.published_at))
        return format_html('<span class="state state-{}">{}</span>', state, article.get_status_display())

    @admin.display(description=_("section"), ordering="section__name")
    def section_name(self, article):
        return article.section.name

    @admin.display(description=_("Published (GMT)"), ordering="published_at")
    def published(self, article):
        return house.dateline(article.published_at) if article.published_at else "—"

    def get_urls(self):
        return [
            path("<id:object_id>/desk/", self.admin_site.admin_view(desk.move), {"model_admin": self}, name="news_article_desk"),
            path("<id:object_id>/live/", self.admin_site.admin_view(live_desk.desk), {"model_admin": self},
                 name="news_article_live"),
            path("<id:object_id>/revisions/", self.admin_site.admin_view(desk.revisions), {"model_admin": self},
                 name="news_article_revisions"),
            path("<id:object_id>/revisions/<number:number>/restore/", self.admin_site.admin_view(desk.restore),
                 {"model_admin": self}, name="news_article_restore"),
            path("writing/preview/", self.admin_site.admin_view(writing.preview), name="news_article_body_preview"),
            path("writing/picture/", self.admin_site.admin_view(writing.picture), name="news_article_body_picture"),
            # Not behind admin_view: a reader or a search engine gets 404 here, not a sign-in page.
            path("<id:object_id>/preview/", desk.preview, name="news_article_preview"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        extra = {"desk": desk.context(request, article)} if article is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def save_model(self, request, obj, form, change):
        # The form only gathers what was typed: the story service checks, saves, indexes and logs it.
        data = form.cleaned_data
        tags = list(data.get("tags") or []) + tagging.tags_named(names=form.tag_names())
        tags = list({tag.pk: tag for tag in tags}.values())
        authors = list(data["authors"]) if "authors" in data else None
        if change:
            values = {name: value for name, value in data.items() if name in changes.EDITABLE}
            with purge.watch() as seen:
                saved = changes.edit(obj.pk, by=request.user, values=values, tags=tags, authors=authors,
                                     version=data.get("loaded_version"))
            if saved.is_visible():
                desk.announce_live(request, seen)
        else:
            author = getattr(request.user, "author", None)
            if not authors and author is not None:
                authors = [author]
            saved = changes.create(obj, by=request.user, tags=tags, authors=authors or [])
            saved = self._first_move(request, saved, data)
        obj.pk, obj.version = saved.pk, saved.version
        other = data.get("translation_of")
        if other and other != translation_partner(saved.pk):
            try:
                changes.link_translation(saved.pk, of=other, by=request.user)
            except (PermissionDenied, ValueError) as refused:  # the story was saved; only the link was not
                self.message_user(request, _t("The story was saved, but not linked to story %(id)s: %(reason)s")
                                  % {"id": other, "reason": refused}, messages.WARNING)

    def _first_move(self, request, article: Article, data: dict) -> Article:
        """Submit, publish or schedule a story the moment it is filed, as the desk would after a first save."""
        move = request.POST.get("_move")
        if move not in FIRST_MOVES:
            return article
        try:
            with transaction.atomic():  # a refused move leaves the story filed as a draft
                if move == "submit":
                    article = changes.submit(article, by=request.user)
                    self.message_user(request, _t("Submitted for review."), messages.SUCCESS)
                elif move == "publish":
                    article = changes.publish(article, by=request.user)
                    self.message_user(request, _t("Published.") if article.is_visible()
                                      else _t("Held by its embargo; it will appear by itself."), messages.SUCCESS)
                else:
                    article = changes.publish(article, by=request.user, at=data["schedule_at"])
                    self.message_user(request, _t("Scheduled: it will appear %(countdown)s.")
                                      % {"countdown": desk.countdown(article.published_at)}, messages.SUCCESS)
        except (changes.WorkflowError, PermissionDenied) as refused:
            self.message_user(request, _t("Saved as a draft, but not moved: %(reason)s") % {"reason": refused},
                              messages.ERROR)
            article.refresh_from_db()
        request.first_move_made = move
        return article

    def add_view(self, request, form_url="", extra_context=None):
        with purge.watch() as seen:
            response = super().add_view(request, form_url, {**(extra_context or {}), **self._first_moves(request)})
        if getattr(request, "first_move_made", None) == "publish":
            desk.announce_live(request, seen)
        return response

    def _first_moves(self, request) -> dict:
        return {"first_moves": {"submit": True, "publish": rules.can_publish(request.user)}}

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "first_move_made", None):  # to the story and its desk, which show where it now is
            return HttpResponseRedirect(reverse("admin:news_article_change", args=[obj.pk],
                                                current_app=self.admin_site.name))
        return super().response_add(request, obj, post_url_continue)

    def save_related(self, request, form, formsets, change):
        pass  # tags and authors were saved with the story, by the story service
