"""The newsroom: sections, tags and authors; stories and their desk (see stories.py)."""

from django.contrib import admin

from masthead.news.models import Author, Section, Tag
from masthead.newsroom import stories  # noqa: F401  registers the story admin
from masthead.stories import taxonomy


class FiledUnderAdmin(admin.ModelAdmin):
    """Every way the newsroom changes a section, tag or author (its form, the list's editable
    columns, delete, the "delete selected" action) goes through ``stories.taxonomy``, which
    purges every page that shows it."""

    def save_model(self, request, obj, form, change):
        taxonomy.save(obj)

    def delete_model(self, request, obj):
        taxonomy.delete([obj])

    def delete_queryset(self, request, queryset):
        taxonomy.delete(queryset)


@admin.register(Section)
class SectionAdmin(FiledUnderAdmin):
    list_display = ["name", "name_fa", "slug", "position"]
    list_editable = ["name_fa", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(FiledUnderAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(FiledUnderAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]
