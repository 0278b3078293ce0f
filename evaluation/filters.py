"""The program list's filters: `country` (ISO code) and `subject` (slug), as on /studies/.

Each parameter may repeat (`?country=kh&country=ph`): values OR within one filter, AND across
the two. Unknown or malformed values are dropped and reported in `ProgramFilterSet.notices`;
they never make an error page. The parsing is the study list's own (`ValueListFilter`), so both
lists read their parameters alike.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.facets import FacetOption, facet_block
from core.filters import ValueListFilter
from studies.models import Country, Subject

from .models import Program
from .querysets import ProgramQuerySet, country_facet, subject_facet


class ProgramFilterSet(django_filters.FilterSet):
    country = ValueListFilter(
        method="filter_country",
        vocabulary=Country.objects.all(),
        to_field="code",
        normalise=str.upper,
    )
    subject = ValueListFilter(
        method="filter_subject", vocabulary=Subject.objects.all(), to_field="slug"
    )

    FACETS = ["country", "subject"]
    FACET_LEGENDS = {"country": gettext_lazy("Country"), "subject": gettext_lazy("Targeted crime")}
    FACET_NAMES = {"country": gettext_lazy("country"), "subject": gettext_lazy("subject")}

    class Meta:
        model = Program
        fields: list[str] = []

    def filter_country(self, queryset, name, codes):
        return queryset.in_countries(codes) if codes else queryset

    def filter_subject(self, queryset, name, slugs):
        return queryset.about_subjects(slugs) if slugs else queryset

    def selected(self, name: str) -> list[str]:
        self.form.is_valid()
        return self.form.cleaned_data.get(name) or []

    @property
    def notices(self) -> list[str]:
        self.form.is_valid()
        notices = []
        for name in self.FACETS:
            ignored = self.form.fields[name].ignored
            if ignored:
                values = ", ".join(f"“{value[:40]}”" for value in ignored)
                notices.append(
                    _("Ignored unknown %(name)s %(values)s: no such %(name)s in the library.")
                    % {"name": self.FACET_NAMES[name], "values": values}
                )
        return notices

    def queryset_without(self, name: str) -> ProgramQuerySet:
        """The programs with every filter but `name` applied: the base of that facet's counts."""
        self.form.is_valid()
        queryset = self.queryset
        for other, value in self.form.cleaned_data.items():
            if other != name:
                queryset = self.filters[other].filter(queryset, value)
        return queryset

    def facets(self) -> dict[str, list[FacetOption]]:
        """Each facet's options, counted with the other facet's filter applied."""
        return {
            "country": country_facet(self.queryset_without("country")),
            "subject": subject_facet(self.queryset_without("subject")),
        }

    def facet_blocks(self) -> list[dict]:
        """The facets as `studies/includes/facet.html` draws them: options, counts, checked."""
        return [
            facet_block(name, str(self.FACET_LEGENDS[name]), options, self.selected(name))
            for name, options in self.facets().items()
        ]
