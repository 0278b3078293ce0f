from django.urls import path

from . import exports, feeds, views

app_name = "studies"
urlpatterns = [
    path("", views.home, name="home"),
    path("studies/", views.study_list, name="list"),
    path("studies/feed/", feeds.StudyFeed(), name="feed"),
    path("studies/export.<str:fmt>", exports.list_export, name="export"),
    path("studies/<slug:slug>/", views.study_detail, name="detail"),
    path("studies/<slug:slug>/cite.<str:fmt>", exports.study_citation, name="citation"),
    path("studies/<slug:slug>/file.pdf", views.study_file, name="file"),
]
