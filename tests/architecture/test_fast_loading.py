"""Models loaded without `Model.__init__` (core/loading.py) must stay the instances Django would
build: nothing may listen for their init signals, and a full or a deferred read gives the same
fields, the same deferred ones and a state that saves as an update."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_init, pre_init

from core import loading
from evaluation.models import Measurement
from studies.models import Study
from studies.public import STUDY_TEXT_FIELDS


def fast_loaded() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if getattr(model.from_db, "__func__", None) is loading.from_db  # a classmethod's function
    ]


def test_the_models_a_program_page_reads_by_the_hundred_load_fast():
    assert {Measurement, Study} <= set(fast_loaded())


@pytest.mark.parametrize("model", fast_loaded(), ids=lambda model: model.__name__)
def test_nothing_listens_for_a_fast_loaded_models_init(model):
    assert not pre_init.has_listeners(model) and not post_init.has_listeners(model)


def as_django_builds(instance: models.Model) -> models.Model:
    model = type(instance)
    loaded = instance.__dict__
    values = [loaded.get(f.attname, models.DEFERRED) for f in model._meta.concrete_fields]
    return models.Model.from_db.__func__(model, "default", list(loaded), values)  # type: ignore[attr-defined]


def fields_of(instance: models.Model) -> dict:
    return {
        f.attname: instance.__dict__[f.attname]
        for f in type(instance)._meta.concrete_fields
        if f.attname in instance.__dict__
    }


def test_a_deferred_study_is_the_one_django_builds(make_study):
    made = make_study(title="A study", description="Long text")
    loaded = Study.objects.defer(*STUDY_TEXT_FIELDS).get(pk=made.pk)
    django_way = as_django_builds(loaded)
    assert fields_of(loaded) == fields_of(django_way)
    assert loaded.get_deferred_fields() == django_way.get_deferred_fields() != set()
    assert loaded.description == "Long text"  # a deferred field loads when read
    assert loaded._state.adding is False and loaded._state.db == "default"
    loaded.title = "A study, renamed"
    loaded.save()
    assert Study.objects.get(pk=made.pk).title == "A study, renamed"
    assert Study.objects.count() == 1
