"""The newsroom's sign-in pages and account page. Thin: the rules are in signin.py, throttle.py and twofactor.py."""

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _, gettext_lazy
from django_otp import login as otp_login

from masthead.accounts import signin, throttle, twofactor


class PasswordForm(AdminAuthenticationForm):
    """The newsroom's user name and password; a throttled attempt is refused before its password is checked.

    ``code`` is shown only on a locked account's refusal: with it, the account's own editor gets in.
    """

    code = forms.CharField(label=gettext_lazy("Two-factor code"), required=False, max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))
    refusal: throttle.Refusal | None = None

    def clean(self):
        if self.refusal:
            raise ValidationError(self.refusal.message, code="throttled")
        return super().clean()


class PasswordStep(LoginView):
    authentication_form = PasswordForm
    template_name = "admin/login.html"

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        refusal = throttle.refusal(username=request.POST.get("username", ""), address=signin.address(request))
        if refusal and refusal.account_locked and request.POST.get("code"):
            # Whatever is wrong (password, code, no second factor), the answer is the same refusal.
            if not form.is_valid():
                signin.password_failed(request, username=request.POST.get("username", ""))
            elif signin.through_lock(request, form.get_user(), code=form.cleaned_data["code"]):
                return redirect(self.get_success_url())
            form = self.get_form()
        form.refusal = refusal
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal:
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        else:
            signin.password_failed(self.request, username=self.request.POST.get("username", ""))
        return response

    def form_valid(self, form):
        next_url = self.get_success_url()
        if signin.password_accepted(self.request, form.get_user(), next_url=next_url):
            return redirect(next_url)
        return redirect("admin:signin_code")


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32,
                           help_text=gettext_lazy("The six digits your authenticator app shows, or one of your recovery codes."),
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                         "inputmode": "text"}))


def code_step(request, *, context: dict):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user = signin.pending_user(request)
    if user is None:
        messages.info(request, _("Sign in again: the page waited too long for your code."))
        return redirect("admin:login")
    form, status, headers = CodeForm(request.POST or None), 200, {}
    if form.is_valid():
        outcome = signin.second_factor(request, user, code=form.cleaned_data["code"])
        if isinstance(outcome, str):
            return redirect(outcome)
        if isinstance(outcome, throttle.Refusal):
            form.add_error(None, outcome.message)
            status, headers = 429, {"Retry-After": str(outcome.retry_after)}
        else:
            form.add_error("code", _("That code is not right. Codes change every 30 seconds; a recovery code works once."))
    response = TemplateResponse(request, "accounts/code.html",
                                {**context, "title": _("Two-factor sign-in"), "form": form, "username": user.get_username()},
                                status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def account(request, *, context: dict):
    """The account page: turn two-factor sign-in on, or make new recovery codes."""
    user, where = request.user, signin.address(request)
    enrolled = twofactor.enrolled(user)
    form, recovery_codes = CodeForm(request.POST or None), None
    if request.method == "POST" and request.POST.get("do") == "recovery-codes" and enrolled:
        form = CodeForm()
        recovery_codes = twofactor.new_recovery_codes(user, address=where)
    elif request.method == "POST" and not enrolled and form.is_valid():
        device = twofactor.pending_device(user)
        recovery_codes = twofactor.confirm(device, code=form.cleaned_data["code"], address=where)
        if recovery_codes is None:
            form.add_error("code", _("That code is not right: check the phone's clock, and type the code it shows now."))
        else:
            otp_login(request, device)  # this session has just proved the second factor
            enrolled = True
    device = None if enrolled else twofactor.pending_device(user)
    return TemplateResponse(request, "accounts/account.html", {
        **context, "title": _("Account security"), "enrolled": enrolled, "form": form,
        "recovery_codes": recovery_codes, "required": twofactor.required_for(user),
        "qr_svg": twofactor.qr_svg(device) if device else "", "secret": twofactor.secret(device) if device else "",
    })
