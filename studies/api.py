"""Read-only JSON API (being written)."""

from django.http import Http404


def study_list(request):
    raise Http404


def study_detail(request, slug):
    raise Http404


def openapi(request):
    raise Http404
