"""The moderation desk, in the newsroom: the queue, its age, and approve/reject/spam/ban, one or many."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _, ngettext

from masthead import house
from masthead.comments import moderation
from masthead.comments.models import ArticleComments, Ban, Comment


class ModeratorsOnly:
    """Only moderators, editors and superusers see or act on this part of the newsroom."""

    def has_module_permission(self, request):
        return moderation.can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return moderation.can_moderate(request.user)

    def has_change_permission(self, request, obj=None):
        return moderation.can_moderate(request.user)


class QueueFilter(admin.SimpleListFilter):
    """The desk opens on the pending queue; the other piles are a click away."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("all", _("All")), *Comment.Status.choices]

    def choices(self, changelist):
        value = self.value() or Comment.Status.PENDING
        for lookup, title in self.lookup_choices:
            yield {"selected": value == lookup, "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                   "display": title}

    def queryset(self, request, queryset):
        value = self.value() or Comment.Status.PENDING
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(Comment)
class CommentAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = ["excerpt", "name", "headline", "status", "waiting", "ip"]
    list_display_links = ["excerpt"]
    list_filter = [QueueFilter]
    list_select_related = ["article"]
    search_fields = ["body", "name", "email", "=ip", "=article__id"]
    ordering = ["created_at"]
    sortable_by = ["waiting", "name"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["approve", "reject", "mark_spam", "ban_ip", "ban_email"]
    readonly_fields = ["article_link", "parent", "name", "email", "body", "status", "written", "ip", "user_agent",
                       "moderated_at", "moderated_by"]
    fields = readonly_fields
    change_form_template = "admin/comments/comment/change_form.html"
    change_list_template = "admin/comments/comment/change_list.html"

    def has_add_permission(self, request):
        return False  # comments come from readers only

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # moderators reject; the record stays until it is pruned

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        return comment.body if len(comment.body) <= 140 else comment.body[:139] + "…"

    @admin.display(description=_("story"), ordering="article__headline")
    def headline(self, comment):
        return format_html('{} <a href="{}">{}</a>', comment.article_id, comment.article.get_absolute_url(),
                           comment.article.headline)

    @admin.display(description=_("story"))
    def article_link(self, comment):
        return self.headline(comment)

    @admin.display(description=_("waiting"), ordering="created_at")
    def waiting(self, comment):
        return format_html('<time datetime="{}" title="{}">{}</time>', house.machine(comment.created_at),
                           house.dateline(comment.created_at), timesince(comment.created_at))

    @admin.display(description=_("written (GMT)"))
    def written(self, comment):
        return house.dateline(comment.created_at)

    def changelist_view(self, request, extra_context=None):
        oldest = moderation.queue_age()
        extra_context = {**(extra_context or {}),
                         "queue_count": Comment.objects.pending().count(),
                         "queue_oldest": oldest and timesince(oldest, timezone.now()),
                         "queue_oldest_dateline": oldest and house.dateline(oldest)}
        return super().changelist_view(request, extra_context)

    def response_change(self, request, obj):
        for button, action in [("_approve", self.approve), ("_reject", self.reject), ("_spam", self.mark_spam),
                               ("_ban_ip", self.ban_ip), ("_ban_email", self.ban_email)]:
            if button in request.POST:
                action(request, Comment.objects.filter(pk=obj.pk))
                return self.response_post_save_change(request, obj)
        return super().response_change(request, obj)

    def _done(self, request, count, singular, plural):
        self.message_user(request, ngettext(singular, plural, count) % count, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        self._done(request, moderation.approve(list(queryset), by=request.user),
                   "%d comment approved.", "%d comments approved.")

    @admin.action(description=_("Reject selected comments"), permissions=["change"])
    def reject(self, request, queryset):
        self._done(request, moderation.reject(list(queryset), by=request.user),
                   "%d comment rejected.", "%d comments rejected.")

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._done(request, moderation.mark_spam(list(queryset), by=request.user),
                   "%d comment marked as spam.", "%d comments marked as spam.")

    @admin.action(description=_("Ban the IP addresses of selected comments (and mark them spam)"), permissions=["change"])
    def ban_ip(self, request, queryset):
        banned = moderation.ban(list(queryset), Ban.Kind.IP, by=request.user)
        self._done(request, len(banned), "%d IP address banned.", "%d IP addresses banned.")

    @admin.action(description=_("Ban the email addresses of selected comments (and mark them spam)"), permissions=["change"])
    def ban_email(self, request, queryset):
        banned = moderation.ban(list(queryset), Ban.Kind.EMAIL, by=request.user)
        self._done(request, len(banned), "%d email address banned.", "%d email addresses banned.")


@admin.register(Ban)
class BanAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = ["value", "kind", "note", "created_at", "created_by"]
    list_filter = ["kind"]
    search_fields = ["value"]
    readonly_fields = ["created_at", "created_by"]

    def has_add_permission(self, request):
        return moderation.can_moderate(request.user)

    def has_delete_permission(self, request, obj=None):
        return moderation.can_moderate(request.user)  # lifting a ban

    def save_model(self, request, obj, form, change):
        obj.value = obj.value.strip().lower()
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ArticleComments)
class ArticleCommentsAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = ["article", "mode"]
    list_filter = ["mode"]
    raw_id_fields = ["article"]  # the News ID; autocomplete would need view rights on stories
    search_fields = ["=article__id", "article__headline"]

    def has_add_permission(self, request):
        return moderation.can_moderate(request.user)

    def has_delete_permission(self, request, obj=None):
        return moderation.can_moderate(request.user)  # back to the site default

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moderation.mode_changed(obj.article)

    def delete_model(self, request, obj):
        article = obj.article
        super().delete_model(request, obj)
        moderation.mode_changed(article)
