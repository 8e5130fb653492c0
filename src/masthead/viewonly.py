"""Newsroom lists to look at, never to write: the rows come from elsewhere (an audit, counts, the story service)."""


class ViewOnly:
    """Mixed into a ``ModelAdmin`` before it: no add, change or delete, for anyone, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
