from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from masthead.accounts import audit, signin, views as account_views
from masthead.accounts.models import AuditEntry


class NewsroomSite(admin.AdminSite):
    site_header = gettext_lazy("Newsroom")
    index_title = gettext_lazy("Today's desk")
    index_template = "newsroom/index.html"  # today's desk above Django's list of the newsroom's sections

    @property
    def site_title(self):
        return f"{settings.SITE_NAME} newsroom"

    site_url = "/"

    def get_urls(self):
        return [
            path("login/code/", self.signin_code, name="signin_code"),
            path("account/", self.admin_view(self.account), name="account"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """Today's desk above the newsroom's sections (newsroom/today.py)."""
        from masthead.newsroom import today  # the models are ready only once the admin site is in use
        return super().index(request, {"today": today.today(user=request.user), "most_read": today.most_read(),
                                       **(extra_context or {})})

    def login(self, request, extra_context=None):
        """The password step, throttled per account and address (see accounts/throttle.py)."""
        if request.method == "GET" and self.has_permission(request):
            return super().login(request, extra_context)
        context = {**self.each_context(request), "title": _("Log in"), "subtitle": None,
                   "app_path": request.get_full_path(), "username": request.user.get_username(),
                   **(extra_context or {})}
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        request.current_app = self.name
        return account_views.PasswordStep.as_view(extra_context=context)(request)

    @method_decorator(never_cache)
    @method_decorator(sensitive_post_parameters("code"))
    def signin_code(self, request):
        request.current_app = self.name
        return account_views.code_step(request, context=self.each_context(request))

    def account(self, request):
        return account_views.account(request, context=self.each_context(request))

    def logout(self, request, extra_context=None):
        user = request.user if request.user.is_authenticated else None
        response = super().logout(request, extra_context)
        if user is not None and request.method == "POST":
            audit.record(AuditEntry.Action.SIGNED_OUT, user=user, address=signin.address(request))
        return response

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            signin.password_changed(request)
        return response
