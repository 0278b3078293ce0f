"""A facet of a filtered list: its options, each counted and checked or not.

The study list and the program list draw their facets with the same partial,
`templates/studies/includes/facet.html`; this is the shape it reads.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int


def facet_block(
    name: str,
    legend: str,
    options: list[FacetOption],
    selected: list[str],
    estimated: bool = False,
) -> dict[str, Any]:
    """A facet as `studies/includes/facet.html` draws it: each option counted and checked."""
    chosen = {value.lower() for value in selected}
    return {
        "name": name,
        "legend": legend,
        "estimated": estimated,
        "options": [
            {
                "value": option.value,
                "label": option.label,
                "count": option.count,
                "selected": option.value.lower() in chosen,
            }
            for option in options
        ],
    }
