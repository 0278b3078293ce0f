import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request activates its page's language for the rest of the thread (Django never turns it
    off): each test here starts and ends in English, so URLs built outside a request (reverse,
    get_absolute_url) carry no /es/ in this test or the next module's."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
