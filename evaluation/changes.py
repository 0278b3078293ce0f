"""What changed between a baseline and a later measurement: derived, never stored.

- Absolute change: later − baseline, in the indicator's unit (percentage points for percents).
- Relative change: (later − baseline) ÷ baseline, in percent.
- Where the later figure is published as a change relative to the baseline (Cebu's “−79 %”),
  that figure is the change: nothing is recomputed.
- Where the baseline is a range of estimates (Cambodia's 15 %–30 %), the change is a range
  too, from the one end to the other; no midpoint is invented.
- Where either figure is only words (“almost none”), no number is derived; when the words plainly
  place the figure at one end of a percent scale (“almost none”, “nearly universal”) and the
  other figure is well away from that end, the direction is stated (“improved; size not given”).
- Where a source publishes a change only in words (Mukono's “nearly 50 % reduction”), the
  words are the change: the number stored beside them only orders it and is never shown.
- A minimum (Cebu's “more than 220”) is no size either: no change is computed, and the
  direction is stated only when the other figure plainly lies on one side of it.
- Improvement: the change goes the way the indicator's direction calls better.
- Not directly comparable: where the later figure was measured by another method than the
  baseline (their stated methods differ), or a curator says why it is not comparable, the change
  is still computed and shown, marked “not directly comparable” with the reasons in words.
- Statistical distinguishability, at the 5 % level:
  1. both figures have 95 % confidence intervals that do not overlap → distinguishable (a
     conservative test: intervals that overlap may still differ);
  2. otherwise, both are percents with sample sizes → two-proportion z-test, |z| ≥ 1.96;
  3. a published relative change with a 95 % interval → distinguishable if it excludes 0;
  4. otherwise we cannot tell (a range of estimates is not a confidence interval).

The functions take `Measurement` objects (saved or not) and read only their fields;
`latest_change` reads an indicator's (prefetched) measurements. The models never call this
module: pages build their changes through `presentation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from itertools import product
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import Direction, Unit
from .formatting import format_signed, required

if TYPE_CHECKING:
    from .models import Indicator, Measurement

Z_CRITICAL_5_PERCENT = 1.96

# Words that place a share at one end of the 0–100 scale, whole wording only (matched without
# case). A figure at least PLAIN_MARGIN points from that end is plainly on the other side.
NEAR_NONE = {"almost none", "nearly none", "virtually none", "hardly any", "none"}
NEAR_ALL = {"nearly universal", "almost universal", "universal", "almost all", "nearly all"}
PLAIN_MARGIN = Decimal(10)
# “Nearly 500,000” beside 100,000 plainly lies above it; beside 450,000 it does not say.
APPROXIMATE_MARGIN = Decimal("0.25")


class Verdict(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"
    UNKNOWN = "unknown"


VERDICT_LABELS = {
    Verdict.IMPROVED: gettext_lazy("improved"),
    Verdict.WORSENED: gettext_lazy("worsened"),
    Verdict.UNCHANGED: gettext_lazy("unchanged"),
    Verdict.UNKNOWN: gettext_lazy("cannot say whether it improved"),
}


class Distinguishable(StrEnum):
    YES = "yes"
    NO = "no"
    CANNOT_TELL = "cannot tell"


DISTINGUISHABLE_LABELS = {
    Distinguishable.YES: gettext_lazy("yes"),
    Distinguishable.NO: gettext_lazy("no"),
    Distinguishable.CANNOT_TELL: gettext_lazy("cannot tell"),
}


@dataclass(frozen=True)
class Span:
    """A number, or the range of numbers a change can be when a figure is a range."""

    low: Decimal
    high: Decimal

    @classmethod
    def of(cls, values) -> Span:
        values = list(values)
        return cls(min(values), max(values))

    @property
    def is_point(self) -> bool:
        return self.low == self.high

    def sign(self) -> int | None:
        """−1, 0 or +1 when every value in the span agrees; None when it straddles zero."""
        if self.high < 0:
            return -1
        if self.low > 0:
            return 1
        if self.low == self.high == 0:
            return 0
        return None

    def label(self, suffix: str, places: int | None = None) -> str:
        """“−79 %”, or “−93 to −85 %” for a span."""
        high = format_signed(self.high, suffix, places)
        if self.is_point:
            return high
        return _("%(low)s to %(high)s") % {"low": format_signed(self.low, "", places), "high": high}


@dataclass(frozen=True)
class Change:
    baseline: Measurement | None
    later: Measurement
    absolute: Span | None
    relative: Span | None
    relative_is_published: bool
    verdict: Verdict
    distinguishable: Distinguishable
    explanation: str
    size_given: bool = True
    """False when only the direction is known (a figure published in words)."""
    not_comparable_reasons: tuple[str, ...] = ()
    """Why the later figure cannot be set directly against the baseline; empty when nothing
    says so (`Measurement.not_comparable_reasons`)."""

    @property
    def is_directly_comparable(self) -> bool:
        return not self.not_comparable_reasons

    @property
    def not_comparable_text(self) -> str:
        """The reasons, each a sentence: “The baseline was measured by …”."""
        return " ".join(
            reason if reason.rstrip().endswith((".", "!", "?")) else reason.rstrip() + "."
            for reason in self.not_comparable_reasons
        )

    @property
    def not_comparable_label(self) -> str:
        """“Not directly comparable: the baseline was measured by …”, or “”."""
        if self.is_directly_comparable:
            return ""
        return _("Not directly comparable: %(reasons)s") % {"reasons": self.not_comparable_text}

    @property
    def absolute_label(self) -> str:
        if self.absolute is None:
            return ""
        unit = self.later.indicator.unit
        suffix: dict[str, str] = {
            Unit.PERCENT: _(" percentage points"),
            Unit.DAYS: _(" days"),
            Unit.RATE_PER_1000: _(" per 1,000"),
            Unit.RATE_PER_10000: _(" per 10,000"),
        }
        return self.absolute.label(suffix.get(unit, ""))

    @property
    def relative_label(self) -> str:
        if self.relative is None:
            return ""
        if self.relative_is_published and self.later.published_wording:
            return f"“{self.later.published_wording}”"
        # Computed changes are rounded to whole percent; published ones are shown as published.
        return self.relative.label(" %", None if self.relative_is_published else 0)

    @property
    def summary(self) -> str:
        """One line: “15 %–30 % → 2.2 % (−85 % to −93 %)”, or “−79 % vs baseline”."""
        if self.baseline is None or self.later.is_relative_change:
            if not self.relative:
                return ""
            # Published in words, the words are the change: “nearly 50 %” is not −50 %.
            return _("%(relative)s vs baseline") % {"relative": self.relative_label}
        figures = f"{self.baseline.display_value} → {self.later.display_value}"
        return f"{figures} ({self.relative_label})" if self.relative else figures

    @property
    def comparison_label(self) -> str:
        """“baseline → endline”, or “baseline → latest figure (monitoring, 2012)”."""
        if self.later.is_endline:
            return _("baseline → endline")
        phase = self.later.get_phase_display().lower()
        return _("baseline → latest figure (%(phase)s, %(period)s)") % {
            "phase": phase,
            "period": self.later.period_label,
        }

    @property
    def verdict_label(self) -> str:
        if not self.size_given and self.verdict in (Verdict.IMPROVED, Verdict.WORSENED):
            if self.verdict == Verdict.IMPROVED:
                return _("improved; size not given")
            return _("worsened; size not given")
        return str(VERDICT_LABELS[self.verdict])

    @property
    def distinguishable_label(self) -> str:
        """“yes”, “no” or “cannot tell”, in the page's language."""
        return str(DISTINGUISHABLE_LABELS[self.distinguishable])

    @property
    def is_improvement(self) -> bool:
        return self.verdict == Verdict.IMPROVED

    @property
    def is_worsening(self) -> bool:
        return self.verdict == Verdict.WORSENED


def latest_change(indicator: Indicator) -> Change | None:
    """What changed from the indicator's baseline to its latest figure (the endline if any)."""
    if indicator.latest is None:
        return None
    return change_between(indicator.baseline, indicator.latest, indicator.unit, indicator.direction)


def change_between(
    baseline: Measurement | None, later: Measurement, unit: str, direction: str
) -> Change | None:
    """The change from `baseline` to `later`, or None when nothing can be said at all; marked
    when the two are not directly comparable."""
    change = _change_between(baseline, later, unit, direction)
    reasons = tuple(later.not_comparable_reasons(baseline))
    if change is None or not reasons:
        return change
    return replace(change, not_comparable_reasons=reasons)


def _change_between(
    baseline: Measurement | None, later: Measurement, unit: str, direction: str
) -> Change | None:
    if later.is_relative_change:
        published = Span(required(later.value), required(later.value))
        return Change(
            baseline=baseline,
            later=later,
            absolute=None,
            relative=published,
            relative_is_published=True,
            verdict=verdict(published.sign(), direction),
            distinguishable=_published_change_distinguishable(later),
            explanation=(
                _(
                    "The source publishes this change relative to the baseline; it is shown as "
                    "published, with its 95 %% interval (%(interval)s)."
                )
                % {"interval": later.display_interval}
                if later.ci_lower is not None
                else _(
                    "The source publishes this change relative to the baseline; it is shown as "
                    "published, without an interval."
                )
            ),
        )
    if baseline is None:
        return None
    if baseline.is_wording_only or later.is_wording_only:
        words = baseline if baseline.is_wording_only else later
        sign = plain_sign(baseline, later) if unit == Unit.PERCENT else None
        if sign is not None:
            return Change(
                baseline=baseline,
                later=later,
                absolute=None,
                relative=None,
                relative_is_published=False,
                verdict=verdict(sign, direction),
                distinguishable=Distinguishable.CANNOT_TELL,
                explanation=_(
                    "The %(phase)s is published only in words (%(words)s), which plainly place "
                    "it %(side)s the other figure: the direction is clear, but the size of the "
                    "change is not given, so none is computed."
                )
                % {
                    "phase": words.get_phase_display().lower(),
                    "words": words.display_value,
                    "side": _("below") if (sign > 0) == (words is baseline) else _("above"),
                },
                size_given=False,
            )
        return Change(
            baseline=baseline,
            later=later,
            absolute=None,
            relative=None,
            relative_is_published=False,
            verdict=Verdict.UNKNOWN,
            distinguishable=Distinguishable.CANNOT_TELL,
            explanation=_(
                "The %(phase)s is published only in words (%(words)s), so no change is computed."
            )
            % {"phase": words.get_phase_display().lower(), "words": words.display_value},
        )
    if baseline.is_minimum or later.is_minimum:
        return _change_from_a_minimum(baseline, later, direction)
    if baseline.is_approximate or later.is_approximate:
        return _change_from_an_approximate_figure(baseline, later, direction)
    before, after = _bounds(baseline), _bounds(later)
    absolute = Span.of(b - a for a, b in product(before, after))
    relative: Span | None = None
    if all(a != 0 for a in before):
        relative = Span.of((b - a) / a * 100 for a, b in product(before, after))
    distinguishable, test = _distinguishable(baseline, later, unit)
    if baseline.is_range or later.is_range:
        how = _(
            "A figure is a range of estimates, so the change is given from one end of the range "
            "to the other; a range of estimates is not a confidence interval, so whether the "
            "change is statistically distinguishable cannot be told."
        )
    else:
        how = _("Change = later figure − baseline; relative change = that ÷ baseline.")
        how += " " + test
    if relative is None:
        how += " " + _("The baseline is zero, so no relative change is computed.")
    return Change(
        baseline=baseline,
        later=later,
        absolute=absolute,
        relative=relative,
        relative_is_published=False,
        verdict=verdict(absolute.sign(), direction),
        distinguishable=distinguishable,
        explanation=how,
    )


def _change_from_a_minimum(baseline: Measurement, later: Measurement, direction: str) -> Change:
    """A minimum (“more than 220”) is no size: the direction is stated only where the other
    figure plainly lies on one side of it (a later “more than 220” after a baseline of 150)."""
    minimum = later if later.is_minimum else baseline
    sign: int | None = None
    if not (baseline.is_minimum and later.is_minimum):
        floor = required(minimum.value)
        if minimum is later and floor > max(_bounds(baseline)):
            sign = 1
        elif minimum is baseline and max(_bounds(later)) < floor:
            sign = -1
    words = {"phase": minimum.get_phase_display().lower(), "words": minimum.display_value}
    if sign is None:
        explanation = _("The %(phase)s is a minimum (%(words)s), so no change is computed.") % words
    else:
        explanation = (
            _(
                "The %(phase)s is a minimum (%(words)s) above the other figure: the direction "
                "is clear, but the size of the change is not given, so none is computed."
            )
            % words
        )
    return _direction_without_size(baseline, later, sign, direction, explanation)


def _change_from_an_approximate_figure(
    baseline: Measurement, later: Measurement, direction: str
) -> Change:
    """“Nearly 500,000” is no exact number, so no size is computed from it; the direction is
    stated only where the two figures lie more than APPROXIMATE_MARGIN of the larger apart,
    further than any “nearly” or “about” stretches."""
    approximate = later if later.is_approximate else baseline
    before, after = _bounds(baseline), _bounds(later)
    largest = max(abs(v) for v in (*before, *after))
    sign: int | None = None
    if min(after) - max(before) > APPROXIMATE_MARGIN * largest:
        sign = 1
    elif min(before) - max(after) > APPROXIMATE_MARGIN * largest:
        sign = -1
    words = {"phase": approximate.get_phase_display().lower(), "words": approximate.display_value}
    if sign is None:
        explanation = (
            _("The %(phase)s is approximate (%(words)s), so no change is computed.") % words
        )
    else:
        explanation = (
            _(
                "The %(phase)s is approximate (%(words)s), far from the other figure: the "
                "direction is clear, but the size of the change is not given, so none is computed."
            )
            % words
        )
    return _direction_without_size(baseline, later, sign, direction, explanation)


def _direction_without_size(
    baseline: Measurement, later: Measurement, sign: int | None, direction: str, explanation: str
) -> Change:
    """A change whose size no figure gives (a minimum, an approximate figure): at most its
    direction, never distinguishable or not."""
    return Change(
        baseline=baseline,
        later=later,
        absolute=None,
        relative=None,
        relative_is_published=False,
        verdict=verdict(sign, direction),
        distinguishable=Distinguishable.CANNOT_TELL,
        explanation=explanation,
        size_given=False,
    )


def verdict(sign: int | None, direction: str) -> Verdict:
    """Improved or worsened, given which way the indicator calls better."""
    if sign is None:
        return Verdict.UNKNOWN
    if sign == 0:
        return Verdict.UNCHANGED
    better = -1 if direction == Direction.LOWER_IS_BETTER else 1
    return Verdict.IMPROVED if sign == better else Verdict.WORSENED


def plain_level(measurement: Measurement) -> Decimal | None:
    """0 or 100 when a percent published in words plainly sits at that end of the scale."""
    words = measurement.published_wording.strip().lower()
    if words in NEAR_NONE:
        return Decimal(0)
    if words in NEAR_ALL:
        return Decimal(100)
    return None


def plain_sign(baseline: Measurement, later: Measurement) -> int | None:
    """+1 or −1 when a figure in words and the other figure plainly lie one above the other
    (“almost none” → 21 %: +1); None when the words say nothing that plain."""
    levels = []
    for measurement in (baseline, later):
        if measurement.is_wording_only:
            level = plain_level(measurement)
            if level is None:
                return None
            levels.append((level, True))
        elif measurement.value_kind == measurement.ValueKind.POINT:
            levels.append((required(measurement.value), False))
        else:
            return None  # a range or a relative change beside words: nothing plain
    (before, before_words), (after, after_words) = levels
    if before_words and after_words:
        return None if before == after else (1 if after > before else -1)
    words_level, number = (before, after) if before_words else (after, before)
    if words_level == 0 and number < PLAIN_MARGIN:
        return None  # “almost none” beside 3 %: too close to tell
    if words_level == 100 and number > 100 - PLAIN_MARGIN:
        return None
    return 1 if after > before else -1


def two_proportion_z(p1: float, n1: float, p2: float, n2: float) -> float | None:
    """The pooled two-proportion z statistic for shares p1 of n1 and p2 of n2 (0–1 scale)."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    return (p2 - p1) / math.sqrt(variance)


def required_share(measurement: Measurement) -> float:
    share = measurement.share
    if share is None:
        raise ValueError("A point figure has its value.")
    return share


def _bounds(measurement: Measurement) -> tuple[Decimal, ...]:
    if measurement.is_range:
        return (required(measurement.value_low), required(measurement.value_high))
    return (required(measurement.value),)


def _interval(measurement: Measurement) -> tuple[Decimal, Decimal] | None:
    """The 95 % interval, when the source gives one (its upper end comes with its lower end)."""
    if measurement.ci_lower is None:
        return None
    return measurement.ci_lower, required(measurement.ci_upper)


def _distinguishable(
    baseline: Measurement, later: Measurement, unit: str
) -> tuple[Distinguishable, str]:
    if baseline.is_range or later.is_range:
        return Distinguishable.CANNOT_TELL, ""
    before, after = _interval(baseline), _interval(later)
    both_intervals = before is not None and after is not None
    if before and after and (after[0] > before[1] or after[1] < before[0]):
        return (
            Distinguishable.YES,
            _(
                # xgettext:no-python-format
                "The two 95 % confidence intervals do not overlap, so the change is "
                "statistically distinguishable at the 5 % level."
            ),
        )
    # xgettext:no-python-format
    overlap = _("The two 95 % confidence intervals overlap, which alone does not settle it.")
    overlap += " "
    n_before, n_after = baseline.effective_sample_size, later.effective_sample_size
    if unit == Unit.PERCENT and n_before and n_after:
        # The counts, where given, are the shares and the samples; a design effect shrinks the
        # sample to what simple random sampling (which the test assumes) would have needed.
        z = two_proportion_z(required_share(baseline), n_before, required_share(later), n_after)
        if z is not None:
            result = Distinguishable.YES if abs(z) >= Z_CRITICAL_5_PERCENT else Distinguishable.NO
            if result == Distinguishable.YES:
                test = _(
                    "A two-proportion z-test on the sample sizes gives z = %(z)s: the change is "
                    "statistically distinguishable at the 5 %% level (|z| ≥ 1.96)."
                )
            else:
                test = _(
                    "A two-proportion z-test on the sample sizes gives z = %(z)s: the change is "
                    "not statistically distinguishable at the 5 %% level (|z| ≥ 1.96)."
                )
            test = test % {"z": f"{z:.2f}"} + " " + str(SRS_CAVEAT)
            return result, (overlap if both_intervals else "") + test
    if both_intervals:
        return Distinguishable.CANNOT_TELL, overlap + _("Without sample sizes we cannot tell.")
    return (
        Distinguishable.CANNOT_TELL,
        _(
            "Without confidence intervals or sample sizes for both figures, whether the change "
            "is statistically distinguishable cannot be told."
        ),
    )


# Module-level so that it is read in the page's language when the explanation is built.
SRS_CAVEAT = gettext_lazy(
    "The test assumes simple random sampling; where the source gives a design effect, each "
    "sample is divided by it first."
)


def _published_change_distinguishable(later: Measurement) -> Distinguishable:
    if later.ci_lower is None:
        return Distinguishable.CANNOT_TELL
    if later.ci_lower > 0 or required(later.ci_upper) < 0:
        return Distinguishable.YES
    return Distinguishable.NO
