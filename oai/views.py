"""The OAI-PMH endpoint, /oai: GET or POST (form-encoded), as the protocol allows both."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import protocol


# Harvesters POST without a session or a CSRF token, and the endpoint only reads.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    arguments = request.POST if request.method == "POST" else request.GET
    body = protocol.respond(dict(arguments.lists()))
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
