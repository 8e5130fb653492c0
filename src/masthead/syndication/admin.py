from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _, ngettext

from masthead.syndication.models import ApiToken, LanguageEdition
from masthead.viewonly import ViewOnly


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every API token with whom it acts for, when it expires and when and where it was last used; revoke here."""

    list_display = ["name", "user", "prefix", "state", "expires_at", "last_used_at", "last_used_from", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["user"]
    fields = ["user", "name", "expires_at", "prefix", "created_at", "last_used_at", "last_used_from", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "last_used_from", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def state(self, token):
        return token.state

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Left empty, a new token gets the default lifetime (MASTHEAD_API_TOKEN_DAYS) from the model.
        form.base_fields["expires_at"].required = obj is not None
        return form

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row keeps the token's history for the audit log

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        token, raw = ApiToken.objects.create_for(obj.user, name=obj.name, expires_at=obj.expires_at, by=request.user)
        obj.pk, obj.prefix = token.pk, token.prefix
        # The secret is shown once; only its hash is kept.
        self.message_user(request, _("New token (copy it now, it is not shown again): %(raw)s") % {"raw": raw},
                          messages.WARNING)

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.revoke(by=request.user)
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count},
                          messages.SUCCESS)


@admin.register(LanguageEdition)
class LanguageEditionAdmin(ViewOnly, admin.ModelAdmin):
    """The groups of stories that are translations of each other, to look at.

    A link is made on the story's own form ("Translation of"), by an import or the API, through the
    story service (``changes.link_translation``), which checks who may edit both stories and purges
    their pages; a row written here would do neither."""

    list_display = ["story", "article"]
    search_fields = ["story", "=article__id"]
    raw_id_fields = ["article"]

