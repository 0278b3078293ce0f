from django.urls import path

from justicelib.i18n import data_in_english

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.program_list, name="list"),
    path(
        "measurements.csv",
        data_in_english(views.all_measurements_csv),
        name="all_measurements_csv",
    ),
    path(
        "measurements.json",
        data_in_english(views.all_measurements_json),
        name="all_measurements_json",
    ),
    path("<slug:slug>/", views.program_detail, name="detail"),
    path(
        "<slug:slug>/measurements.csv",
        data_in_english(views.measurements_csv),
        name="measurements_csv",
    ),
    path("<slug:slug>/iati.xml", data_in_english(views.program_iati), name="iati"),
]
