"""Citations and exports (being written)."""

from django.http import Http404


def list_export(request, fmt):
    raise Http404


def study_citation(request, slug, fmt):
    raise Http404
