"""The newsroom's first cut: editors manage sections, tags, authors and stories."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _, ngettext

from masthead import house
from masthead.news import publishing
from masthead.news.models import Article, Author, Section, Tag


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["id", "headline", "status", "section", "published"]
    list_display_links = ["id", "headline"]
    list_filter = ["status", "section", ("published_at", admin.DateFieldListFilter), "language"]
    list_select_related = ["section"]
    search_fields = ["=id", "headline"]
    ordering = ["-id"]
    # Counting 300,000 rows on every list page is what makes admin lists slow at newsroom scale.
    show_full_result_count = False
    autocomplete_fields = ["tags", "authors"]
    readonly_fields = ["id", "created_at", "updated_at"]
    actions = ["publish_now", "unpublish"]
    fieldsets = [
        (None, {"fields": ["kicker", "headline", "slug", "summary", "body", "source"]}),
        (_("Filing"), {"fields": ["section", "authors", "tags", "language"]}),
        (_("Publication"), {"fields": ["status", "published_at", "id", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("Published (GMT)"), ordering="published_at")
    def published(self, article):
        return house.dateline(article.published_at) if article.published_at else "—"

    def get_search_results(self, request, queryset, search_term):
        # A News ID goes straight to its story instead of also matching headlines.
        if search_term.strip().isdigit():
            return queryset.filter(pk=int(search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        request._masthead_keys_before = publishing.keys_before_edit(obj) if change else set()
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publishing.saved(form.instance, before=getattr(request, "_masthead_keys_before", set()))

    @admin.action(description=_("Publish selected stories now"), permissions=["change"])
    def publish_now(self, request, queryset):
        count = 0
        for article in queryset:
            publishing.publish(article)
            count += 1
        self.message_user(request, ngettext("%d story published.", "%d stories published.", count) % count, messages.SUCCESS)

    @admin.action(description=_("Unpublish selected stories"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset:
            publishing.unpublish(article)
            count += 1
        self.message_user(request, ngettext("%d story unpublished.", "%d stories unpublished.", count) % count, messages.SUCCESS)
