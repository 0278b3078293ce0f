from django.urls import path

from justicelib.i18n import data_in_english

from . import exports, feeds, views

app_name = "studies"
urlpatterns = [
    path("", views.home, name="home"),
    path("studies/", views.study_list, name="list"),
    path("studies/feed/", data_in_english(feeds.StudyFeed()), name="feed"),
    path("studies/export.<str:fmt>", data_in_english(exports.list_export), name="export"),
    path("studies/<slug:slug>/", views.study_detail, name="detail"),
    path(
        "studies/<slug:slug>/cite.<str:fmt>",
        data_in_english(exports.study_citation),
        name="citation",
    ),
    path("studies/<slug:slug>/file.pdf", views.study_file, name="file"),
    path(
        "studies/<slug:slug>/files/<int:file_id>.pdf",
        views.study_file_download,
        name="study_file",
    ),
    path(
        "studies/<slug:slug>/files/<int:file_id>/preview.webp",
        views.study_file_preview,
        name="study_file_preview",
    ),
]
