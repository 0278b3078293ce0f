"""English as the site has always written it: British date formats (“26 Nov 2026”), which the
site had when its language was `en-gb`, now that English is plain `en` beside Spanish."""

from django.conf.locale.en_GB.formats import *  # type: ignore[import-untyped]  # noqa: F403
