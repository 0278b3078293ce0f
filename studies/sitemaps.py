"""Sitemap (being written)."""

SITEMAPS = {}
