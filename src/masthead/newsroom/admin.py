"""The newsroom: sections, tags and authors; stories and their desk (see stories.py)."""

from django.contrib import admin

from masthead.delivery import keys
from masthead.delivery.purge import purge_on_commit
from masthead.news.models import Author, Section, Tag
from masthead.newsroom import stories  # noqa: F401  registers the story admin


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_fa", "slug", "position"]
    list_editable = ["name_fa", "position"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A section's names head its page and its blocks on the home page, and title its feeds
        # in both editions: every process and the edge must drop the copies that show the old ones.
        purge_on_commit({obj.surrogate_key, keys.HOME, keys.FEEDS})


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
