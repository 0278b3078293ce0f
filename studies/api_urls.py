from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    path("studies/", api.study_list, name="study_list"),
    path("studies/<slug:slug>/", api.study_detail, name="study_detail"),
    path("openapi.json", api.openapi, name="openapi"),
]
