from django.urls import path, re_path

from . import api

app_name = "api"
urlpatterns = [
    path("studies/", api.study_list, name="study_list"),
    # Any slug, so that an unknown one, well-formed or not, is the API's own JSON 404.
    path("studies/<str:slug>/", api.study_detail, name="study_detail"),
    path("openapi.json", api.openapi, name="openapi"),
    # Last: every other address under /api/ answers JSON too (see `api.not_found`).
    re_path(r"^", api.not_found),
]
