"""Site-wide protections that belong to no app: the Permissions-Policy header and how the admin
login is throttled (who the client is, what a locked-out curator sees, what is logged)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger("justicelib.security")


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` → `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the `Permissions-Policy` header on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def client_ip_address(request: HttpRequest) -> str:
    """The client's address: the proxy's X-Forwarded-For only when settings trust it.

    Our proxy appends the address it received the request from, so the last entry is the one
    that cannot be forged; earlier entries are whatever the client sent.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def locked_out_response(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """The admin login page again, saying that sign-in is paused and for how long (HTTP 429)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    message = ngettext(
        "Too many failed sign-in attempts. For your security, signing in is paused: "
        "try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. For your security, signing in is paused: "
        "try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "form": AdminAuthenticationForm(request),
        "lockout_message": message,
    }
    return TemplateResponse(request, "admin/locked_out.html", context, status=429).render()


@receiver(user_login_failed)
def log_failed_login(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    """Every failed sign-in, with the username and address (Django has already removed the
    password from `credentials`; we log only the username regardless)."""
    username = credentials.get("username", "")
    address = client_ip_address(request) if request is not None else "unknown"
    logger.warning("Failed sign-in for username %r from %s", username, address)
