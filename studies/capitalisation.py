"""One capitalisation style for a vocabulary's labels (subjects, resource types).

The labels are the curators' words, so nothing is refused or rewritten: the admin only warns when
a label is written in another style than most of its vocabulary (“Land theft” among “Forced
Labour” and “Modern Slavery in Supply Chains”).
"""

import re
from collections import Counter
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Title case leaves short words (“of”, “in”, “and”, “the”) in lower case, and acronyms (“IJM”)
# are capitals in either style: neither says which style a label is in.
SHORT_WORD_LENGTH = 3
WORD = re.compile(r"[^\W\d_][\w’'-]*")


class Style(models.TextChoices):
    TITLE = "title", gettext_lazy("Title Case")
    SENTENCE = "sentence", gettext_lazy("Sentence case")


def capitalisation_style(label: str) -> Style | None:
    """The style of `label`, judged on its words after the first; None when they cannot tell
    (a single word, only short words or acronyms)."""
    telling = [
        word
        for word in WORD.findall(label)[1:]
        if len(word) > SHORT_WORD_LENGTH and not word.isupper()
    ]
    if not telling:
        return None
    return Style.TITLE if all(word[0].isupper() for word in telling) else Style.SENTENCE


def capitalisation_warning(label: str, others: Iterable[str], vocabulary: str) -> str | None:
    """A sentence for the curator when `label` departs from the style most `others` are in."""
    style = capitalisation_style(label)
    styled = [(other, capitalisation_style(other)) for other in others]
    counts = Counter(other_style for _other, other_style in styled if other_style)
    if style is None or not counts:
        return None
    usual, count = counts.most_common(1)[0]
    if usual == style or count * 2 <= counts.total():
        return None
    example = next(other for other, other_style in styled if other_style == usual)
    return _(
        "“%(label)s” is in %(style)s, but most %(vocabulary)s are in %(usual)s "
        "(e.g. “%(example)s”). The site reads best with one style."
    ) % {
        "label": label,
        "style": style.label,
        "vocabulary": vocabulary,
        "usual": usual.label,
        "example": example,
    }
