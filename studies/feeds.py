"""Atom feeds (being written)."""

from django.http import Http404


class StudyFeed:
    def __call__(self, request):
        raise Http404
