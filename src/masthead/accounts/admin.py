from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _, ngettext

from masthead.accounts import throttle
from masthead.accounts.models import AuditEntry
from masthead.viewonly import ViewOnly


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnly, admin.ModelAdmin):
    """The audit log, read-only: no one edits or deletes history from the newsroom."""

    list_display = ["at", "action", "username", "address", "detail"]
    list_filter = ["action"]
    search_fields = ["=username", "=address"]
    show_full_result_count = False
    actions = ["unlock"]

    def has_unlock_permission(self, request):
        return request.user.has_perm("auth.change_user")

    @admin.action(description=_("Unlock the accounts and addresses of selected entries"), permissions=["unlock"])
    def unlock(self, request, queryset):
        pairs = set(queryset.values_list("username", "address"))
        for username, address in pairs:
            throttle.unlock(username=username, address=address or "", by=request.user)
        self.message_user(request, ngettext("%(n)d account unlocked.", "%(n)d accounts unlocked.", len(pairs))
                          % {"n": len(pairs)}, messages.SUCCESS)
