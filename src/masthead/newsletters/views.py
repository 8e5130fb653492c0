"""The reader's side of the newsletter: the form, the confirmation page and leaving.

The form carries nothing per reader, so the form page (and the small form in every page's footer)
is cached and shared like any other page.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from masthead.news.models import Section
from masthead.newsletters import subscriptions
from masthead.ratelimit import client_ip


def _form_context(**extra) -> dict:
    return {"sections": Section.objects.order_by("name"), "editions": settings.LANGUAGES, "values": {}, **extra}


@require_GET
def form(request):
    response = render(request, "newsletters/form.html", _form_context())
    response.surrogate_keys = {"newsletter"}
    return response


# Exempt from Django's CSRF check on purpose: the form sits on cached pages shared by every reader,
# so it cannot carry a per-reader token. A forged post can do no more than its author could by
# filling the form: it uses no session or login, and only sends a confirmation link to the typed
# address, which nothing comes of unless that mailbox's owner confirms. Rate limits bound the mail.
@csrf_exempt
@never_cache
@require_POST
def subscribe(request):
    values = {"email": request.POST.get("email", ""), "edition": request.POST.get("edition", ""),
              "sections": request.POST.getlist("sections")}
    try:
        asked = subscriptions.clean(email=values["email"], edition=values["edition"] or None,
                                    sections=values["sections"], source=request.POST.get("source", ""))
        subscriptions.ask(asked, ip=client_ip(request, proxy_hops=settings.PROXY_HOPS))
    except subscriptions.Invalid as error:
        return render(request, "newsletters/form.html",
                      _form_context(error=str(error), field=error.field, values=values), status=400)
    except subscriptions.MailFailed as error:
        return render(request, "newsletters/form.html", _form_context(error=str(error), values=values), status=503)
    except subscriptions.Throttled as error:
        response = render(request, "newsletters/form.html", _form_context(error=str(error), values=values), status=429)
        response["Retry-After"] = str(error.wait)
        return response
    return render(request, "newsletters/asked.html", {"email": asked.email})


# Mail scanners open links to check them: a GET only shows a button, and the POST confirms.
# Exempt from CSRF: the signed token in the address is the whole authority, and no session is used.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    if request.method == "GET":
        return render(request, "newsletters/confirm.html", {"token": token})
    try:
        subscriber = subscriptions.confirm(token)
    except subscriptions.LinkRefused as error:
        return render(request, "newsletters/confirm.html", {"error": str(error)}, status=400)
    return render(request, "newsletters/confirm.html", {"subscriber": subscriber})


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" here with no cookies, so neither CSRF
# nor a sign-in can be asked for; the signed token in the address is the authority.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "GET":
        return render(request, "newsletters/unsubscribe.html", {"token": token})
    try:
        email = subscriptions.unsubscribe(token)
    except subscriptions.LinkRefused as error:
        return render(request, "newsletters/unsubscribe.html", {"error": str(error)}, status=400)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
    return render(request, "newsletters/unsubscribe.html", {"email": email, "done": True})


def provider_webhook(view):
    """Anymail's webhook ``view``, answering 404 until ``MASTHEAD_ANYMAIL_WEBHOOK_SECRET`` is set:
    without a secret anymail accepts any caller, and anyone could suppress any address."""

    @csrf_exempt  # a provider's server calls it; the shared secret (and signature) is the authority
    def guarded(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            raise Http404("Set MASTHEAD_ANYMAIL_WEBHOOK_SECRET to receive the mail provider's webhooks.")
        return view(request, *args, **kwargs)

    return guarded
