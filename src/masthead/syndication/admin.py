from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from masthead.syndication.models import ApiToken, LanguageEdition


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        token, raw = ApiToken.objects.create_for(obj.user, name=obj.name)
        obj.pk, obj.prefix = token.pk, token.prefix
        # The secret is shown once; only its hash is kept.
        self.message_user(request, _("New token (copy it now, it is not shown again): %(raw)s") % {"raw": raw},
                          messages.WARNING)

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(LanguageEdition)
class LanguageEditionAdmin(admin.ModelAdmin):
    list_display = ["story", "article"]
    search_fields = ["story", "=article__id"]
    raw_id_fields = ["article"]
