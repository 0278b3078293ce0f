"""The curator's admin: a program with its indicators, an indicator with its measurements.

Every rule broken in a form comes back as a message that names it, never as an error page.
"""

from django.urls import reverse

from evaluation.models import Indicator, Measurement, Program
from tests.conftest import as_shown

PROGRAM_ADD = reverse("admin:evaluation_program_add")
MEASUREMENTS = reverse("admin:evaluation_measurement_changelist")
MEASUREMENT_ADD = reverse("admin:evaluation_measurement_add")


def indicator_change(indicator) -> str:
    return reverse("admin:evaluation_indicator_change", args=[indicator.pk])


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """POST data for an inline formset: management form plus each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def measurement_row(phase, start, value, **fields) -> dict:
    row = {
        "phase": phase,
        "period_start": start,
        "period_end": "",
        "value_kind": "point",
        "value": value,
        "source_citation": "Household survey report",
    }
    return {**row, **fields}


def indicator_form(indicator, rows, initial=0) -> dict:
    return {
        "program": indicator.program.pk,
        "name": indicator.name,
        "slug": indicator.slug,
        "short_name": indicator.short_name,
        "is_headline": "on" if indicator.is_headline else "",
        "position": indicator.position,
        "kind": indicator.kind,
        "level": indicator.level,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "definition": indicator.definition,
        "method": indicator.method,
        "disaggregation": indicator.disaggregation,
        "notes": indicator.notes,
        **formset("dimensions", []),
        **formset("measurements", rows, initial),
        **formset("targets", []),
    }


def errors_of(response) -> str:
    """Every error the admin page shows, inline ones included."""
    messages = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        messages.append(str(inline.formset.non_form_errors()))
        messages += [str(form.errors) for form in inline.formset.forms]
    return " ".join(messages)


def test_a_curator_adds_a_program_with_an_indicator_and_figures_then_sees_it(
    admin_client, country_and_subject, make_study
):
    country, subject = country_and_subject
    study = make_study("Property Grabbing from Ugandan Widows", countries=["UG"])
    response = admin_client.post(
        PROGRAM_ADD,
        {
            "name": "Property grabbing in Mukono",
            "slug": "mukono",
            "country": country.pk,
            "area": "Mukono County",
            "subject": subject.pk,
            "start_month": "2012-01",
            "end_month": "2017-12",
            "status": "completed",
            "summary": "A program against land theft.",
            "partners": "",
            **formset("study_links", [{"study": study.pk, "role": "baseline"}]),
            **formset(
                "indicators",
                [
                    {
                        "name": "Widows who experienced property grabbing",
                        "slug": "prevalence",
                        "short_name": "prevalence",
                        "is_headline": "on",
                        "position": "1",
                        "kind": "crime_prevalence",
                        "level": "impact",
                        "unit": "percent",
                        "direction": "lower_is_better",
                        "definition": "Share of widows.",
                        "method": "Household survey",
                        "disaggregation": "",
                    }
                ],
            ),
        },
    )
    assert response.status_code == 302, errors_of(response)
    indicator = Indicator.objects.get(program__slug="mukono")
    assert indicator.program.start_month.isoformat() == "2012-01-01"

    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                measurement_row(
                    "baseline",
                    "2012-01",
                    "30",
                    period_end="2013-12",
                    source_study=study.pk,
                    source_citation="",
                    sample_size="1806",
                ),
                measurement_row("endline", "2017-01", "15", period_end="2017-12"),
            ],
        ),
    )
    assert response.status_code == 302, errors_of(response)

    page = admin_client.get("/programs/mukono/").content.decode()
    assert as_shown("30 %") in page and as_shown("15 %") in page
    assert "Change, baseline → endline:" in page
    assert study.get_absolute_url() in page


def test_the_indicator_page_offers_blank_measurements_and_links_to_their_list(
    admin_client, make_indicator
):
    """Three blank blocks (each a figure, its period and its source); “Add another measurement”
    adds more, and the list of the indicator's measurements is one link away."""
    indicator = make_indicator()
    response = admin_client.get(indicator_change(indicator))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="measurements-TOTAL_FORMS" value="3"' in page
    assert 'data-inline-type="stacked"' in page
    listing = f"{MEASUREMENTS}?program={indicator.program_id}&amp;indicator={indicator.pk}"
    assert f'<a href="{listing}">Edit measurements of this indicator</a>' in page


def test_the_program_page_links_to_its_measurements(admin_client, make_program):
    program = make_program()
    response = admin_client.get(reverse("admin:evaluation_program_change", args=[program.pk]))
    assert f'<a href="{MEASUREMENTS}?program={program.pk}">' in response.content.decode()


def test_a_second_baseline_in_the_inline_gives_a_message_not_an_error_page(
    admin_client, make_indicator
):
    indicator = make_indicator()
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                measurement_row("baseline", "2010-01", "30"),
                measurement_row("baseline", "2011-01", "25"),
            ],
        ),
    )
    assert response.status_code == 200
    assert "An indicator has at most one baseline." in errors_of(response)
    assert not Measurement.objects.exists()


def test_a_second_baseline_beside_a_stored_one_gives_a_message(
    admin_client, make_indicator, make_measurement
):
    indicator = make_indicator()
    stored = make_measurement(indicator, phase="baseline", value=30)
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                {**measurement_row("baseline", "2010-01", "30"), "id": stored.pk},
                measurement_row("baseline", "2011-01", "25"),
            ],
            initial=1,
        ),
    )
    assert response.status_code == 200
    assert "An indicator has at most one baseline." in errors_of(response)


def test_an_endline_before_the_baseline_in_the_inline_gives_a_message(admin_client, make_indicator):
    indicator = make_indicator()
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                measurement_row("baseline", "2015-01", "30"),
                measurement_row("endline", "2010-01", "5"),
            ],
        ),
    )
    assert response.status_code == 200
    assert "the baseline (January 2015) must end before the endline (January 2010)" in (
        errors_of(response)
    )


def test_a_percent_of_140_in_the_inline_gives_a_message(admin_client, make_indicator):
    indicator = make_indicator(unit="percent")
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(indicator, [measurement_row("baseline", "2010-01", "140")]),
    )
    assert response.status_code == 200
    assert "A percent lies between 0 and 100 (140 does not)." in errors_of(response)


def test_a_shape_rule_broken_in_the_inline_is_named(admin_client, make_indicator):
    indicator = make_indicator()
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                measurement_row(
                    "baseline", "2010-01", "", value_kind="range", value_low="30", value_high="15"
                )
            ],
        ),
    )
    assert response.status_code == 200
    assert "from ≤ to" in errors_of(response)


def test_moving_every_period_at_once_is_accepted(admin_client, make_indicator, make_measurement):
    """Checked row by row against stored rows, shifting all periods a year would be refused."""
    indicator = make_indicator()
    baseline = make_measurement(indicator, phase="baseline", start=_month("2010-01"), value=30)
    endline = make_measurement(indicator, phase="endline", start=_month("2011-01"), value=20)
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                {**measurement_row("baseline", "2011-06", "30"), "id": baseline.pk},
                {**measurement_row("endline", "2012-01", "20"), "id": endline.pk},
            ],
            initial=2,
        ),
    )
    assert response.status_code == 302, errors_of(response)


def test_swapping_the_baseline_between_rows_is_saved(
    admin_client, make_indicator, make_measurement
):
    indicator = make_indicator()
    first = make_measurement(indicator, phase="baseline", start=_month("2009-01"), value=30)
    second = make_measurement(indicator, phase="monitoring", start=_month("2010-01"), value=25)
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                # The row taking over the baseline comes first: saved first, it would meet the old.
                {**measurement_row("baseline", "2010-01", "25"), "id": second.pk},
                {**measurement_row("monitoring", "2011-01", "30"), "id": first.pk},
            ],
            initial=2,
        ),
    )
    assert response.status_code == 302, errors_of(response)
    assert Measurement.objects.get(phase="baseline").pk == second.pk


def test_source_studies_are_found_by_autocomplete(admin_client, make_study):
    make_study("Commercial Sexual Exploitation of Children in Cambodia")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "evaluation",
            "model_name": "measurement",
            "field_name": "source_study",
            "term": "Cambodia",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Commercial Sexual Exploitation of Children in Cambodia"
    ]


def test_the_program_changelist_lists_programs(admin_client, make_program):
    make_program("Project Lantern")
    response = admin_client.get(reverse("admin:evaluation_program_changelist"))
    assert response.status_code == 200
    assert "Project Lantern" in response.content.decode()
    assert Program.objects.count() == 1


# --- Measurements on pages of their own ----------------------------------------------------------


def test_the_measurement_list_shows_one_indicators_figures_periods_and_sources(
    admin_client, make_indicator, make_measurement, make_study, django_assert_max_num_queries
):
    indicator = make_indicator(name="Minors in the commercial sex industry")
    other = make_indicator(program=indicator.program, name="Cases prosecuted")
    study = make_study("Child Sex Trafficking in Metro Manila")
    make_measurement(indicator, phase="baseline", value=30, source_study=study)
    make_measurement(indicator, phase="endline", start=_month("2015-01"), value=15)
    make_measurement(other, phase="baseline", value=99)
    for _ in range(5):  # more rows cost no more queries
        make_measurement(make_indicator(), phase="baseline", value=40)
    with django_assert_max_num_queries(12):
        response = admin_client.get(
            MEASUREMENTS, {"program": indicator.program_id, "indicator": indicator.pk}
        )
    assert response.status_code == 200
    rows = [str(row) for row in response.context["cl"].result_list]
    assert rows == ["Baseline January 2010: 30 %", "Endline January 2015: 15 %"]
    page = response.content.decode()
    assert "Child Sex Trafficking in Metro Manila" in page  # the source, beside the figure
    assert "A news article" in page
    # The indicator filter offers the program's indicators only.
    assert "Cases prosecuted" in page


def test_a_measurement_list_filter_that_is_not_a_number_is_not_an_error_page(admin_client, db):
    response = admin_client.get(MEASUREMENTS, {"program": "lantern"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_a_measurement_added_on_its_own_page_is_saved(admin_client, make_indicator):
    indicator = make_indicator()
    response = admin_client.post(
        MEASUREMENT_ADD,
        {"indicator": indicator.pk, **measurement_row("baseline", "2012-01", "30")},
    )
    assert response.status_code == 302
    saved = Measurement.objects.get()
    assert (saved.indicator, saved.period_end.isoformat()) == (indicator, "2012-01-01")


def test_a_second_baseline_on_the_measurement_page_gives_a_message(
    admin_client, make_indicator, make_measurement
):
    indicator = make_indicator()
    make_measurement(indicator, phase="baseline", value=30)
    response = admin_client.post(
        MEASUREMENT_ADD,
        {"indicator": indicator.pk, **measurement_row("baseline", "2014-01", "25")},
    )
    assert response.status_code == 200
    assert "An indicator has at most one baseline." in str(
        response.context["adminform"].form.errors
    )
    assert Measurement.objects.count() == 1


def test_an_endline_before_the_baseline_on_the_measurement_page_gives_a_message(
    admin_client, make_indicator, make_measurement
):
    indicator = make_indicator()
    make_measurement(indicator, phase="baseline", start=_month("2015-01"), value=30)
    response = admin_client.post(
        MEASUREMENT_ADD,
        {"indicator": indicator.pk, **measurement_row("endline", "2010-01", "25")},
    )
    assert response.status_code == 200
    assert "must end before the endline" in str(response.context["adminform"].form.errors)


def test_adding_from_an_indicators_list_starts_on_that_indicator(admin_client, make_indicator):
    indicator = make_indicator()
    response = admin_client.get(
        MEASUREMENT_ADD, {"_changelist_filters": f"program=1&indicator={indicator.pk}"}
    )
    assert response.context["adminform"].form.initial["indicator"] == str(indicator.pk)


def test_a_measurement_is_deleted_from_its_page(admin_client, make_measurement):
    measurement = make_measurement()
    url = reverse("admin:evaluation_measurement_delete", args=[measurement.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Measurement.objects.exists()


def test_a_long_program_name_is_kept_on_one_line(admin_client, country_and_subject):
    country, subject = country_and_subject
    response = admin_client.post(
        PROGRAM_ADD,
        {
            "name": "Combating sex trafficking of children\r\nin Cambodia",
            "slug": "cambodia",
            "country": country.pk,
            "area": "Phnom Penh",
            "subject": subject.pk,
            "start_month": "2004-01",
            "status": "active",
            **formset("study_links", []),
            **formset("indicators", []),
        },
    )
    assert response.status_code == 302, errors_of(response)
    assert Program.objects.get().name == "Combating sex trafficking of children in Cambodia"


def test_a_long_indicator_name_is_shown_whole_and_kept_on_one_line(admin_client, make_indicator):
    indicator = make_indicator()
    assert '<textarea name="name" cols="40" rows="2"' in (
        admin_client.get(indicator_change(indicator)).content.decode()
    )
    data = {**indicator_form(indicator, []), "name": "Minors in the\r\ncommercial sex industry"}
    response = admin_client.post(indicator_change(indicator), data)
    assert response.status_code == 302, errors_of(response)
    indicator.refresh_from_db()
    assert indicator.name == "Minors in the commercial sex industry"


def _month(text):
    import datetime

    return datetime.date.fromisoformat(text + "-01")


def indicator_row(slug: str, headline: bool, **fields) -> dict:
    return {
        "name": f"Indicator {slug}",
        "slug": slug,
        "short_name": "",
        "is_headline": "on" if headline else "",
        "position": "1",
        "kind": "crime_prevalence",
        "level": "impact",
        "unit": "percent",
        "direction": "lower_is_better",
        "definition": "Share of widows.",
        "method": "Household survey",
        "disaggregation": "",
        **fields,
    }


def program_form(country, subject, indicator_rows, initial=0) -> dict:
    return {
        "name": "Property grabbing in Mukono",
        "slug": "mukono",
        "country": country.pk,
        "area": "Mukono County",
        "subject": subject.pk,
        "start_month": "2012-01",
        "end_month": "2017-12",
        "status": "completed",
        "summary": "",
        "partners": "",
        **formset("study_links", []),
        **formset("indicators", indicator_rows, initial),
    }


def test_two_headline_indicators_in_one_save_give_a_message(admin_client, country_and_subject):
    country, subject = country_and_subject
    rows = [indicator_row("a", headline=True), indicator_row("b", headline=True)]
    response = admin_client.post(PROGRAM_ADD, program_form(country, subject, rows))
    assert response.status_code == 200
    assert "at most one headline indicator" in errors_of(response)
    assert not Program.objects.exists()


def test_moving_the_headline_to_another_indicator_in_one_save(admin_client, country_and_subject):
    country, subject = country_and_subject
    rows = [indicator_row("a", headline=False), indicator_row("b", headline=True)]
    assert admin_client.post(PROGRAM_ADD, program_form(country, subject, rows)).status_code == 302
    program = Program.objects.get(slug="mukono")
    a, b = program.indicators.order_by("slug")
    rows = [
        indicator_row("a", headline=True, id=a.pk, program=program.pk),
        indicator_row("b", headline=False, id=b.pk, program=program.pk),
    ]
    change = reverse("admin:evaluation_program_change", args=[program.pk])
    response = admin_client.post(change, program_form(country, subject, rows, initial=2))
    assert response.status_code == 302, errors_of(response)
    assert list(program.indicators.filter(is_headline=True)) == [a]


# --- Method and data quality ------------------------------------------------------------------


def test_a_curator_records_method_and_quality_in_the_indicator_page(
    admin_client, client, make_indicator
):
    indicator = make_indicator(method="Household survey")
    page = admin_client.get(indicator_change(indicator)).content.decode()
    assert "Method and data quality" in page
    assert 'name="measurements-0-validity_note"' in page
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                measurement_row("baseline", "2010-01", "30"),
                measurement_row(
                    "endline",
                    "2015-01",
                    "15",
                    method="Telephone survey",
                    fieldwork_start="2015-03-02",
                    fieldwork_precision="exact_day",
                    validity="partly_meets",
                    validity_note="Only households with a phone.",
                    reliability="not_assessed",
                    precision="not_assessed",
                    timeliness="not_assessed",
                    integrity="not_assessed",
                    quality_assessed_by="The curators",
                ),
            ],
        ),
    )
    assert response.status_code == 302, errors_of(response)
    page = client.get(indicator.program.get_absolute_url()).content.decode()
    assert "Validity: partly meets the standard — Only households with a phone." in page
    assert "Not directly comparable:" in page


def test_a_rating_without_its_note_is_refused_in_the_admin_with_a_message(
    admin_client, make_indicator
):
    indicator = make_indicator()
    response = admin_client.post(
        indicator_change(indicator),
        indicator_form(
            indicator,
            [
                measurement_row(
                    "baseline", "2010-01", "30", integrity="meets", quality_assessed_by="Me"
                )
            ],
        ),
    )
    assert response.status_code == 200
    assert "The integrity rating says what it rests on" in errors_of(response)
    assert not Measurement.objects.exists()


# --- Revising a target ----------------------------------------------------------------------------


def test_a_curator_revises_a_target_and_both_are_kept(admin_client, client, make_indicator):
    import datetime

    from evaluation.models import Target

    indicator = make_indicator()
    old = Target.objects.create(
        indicator=indicator,
        period_start=datetime.date(2015, 1, 1),
        period_end=datetime.date(2015, 12, 1),
        value=10,
        date_set=datetime.date(2012, 3, 1),
        set_by="Program board",
        rationale="First plan",
    )
    # The indicator's page links each current target to its revision form.
    page = admin_client.get(indicator_change(indicator)).content.decode()
    revise_url = f"{reverse('admin:evaluation_target_add')}?revises={old.pk}"
    assert f'<a href="{revise_url}">Revise this target…</a>' in page

    form = admin_client.get(revise_url)
    assert form.status_code == 200
    initial = form.context["adminform"].form.initial
    assert (initial["revises"], initial["value"], initial["set_by"]) == (
        old.pk,
        10,
        "Program board",
    )

    response = admin_client.post(
        revise_url,
        {
            "revises": old.pk,
            "indicator": indicator.pk,
            "period_start": "2015-01",
            "period_end": "2015-12",
            "value": "6",
            "date_set": "2013-06-01",
            "set_by": "Donor review",
            "rationale": "Harder after the midline",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    old.refresh_from_db()
    new = Target.objects.get(revises=old)
    assert (old.value, old.is_current, old.rationale) == (10, False, "First plan")
    assert (new.value, new.is_current, new.set_by) == (6, True, "Donor review")

    # Both are listed; only the current one can be revised again.
    listing = admin_client.get(reverse("admin:evaluation_target_changelist")).content.decode()
    assert listing.count("Revise this target…") == 1
    assert "Donor review" in listing and "Program board" in listing
    # Each keeps its history: the old one's shows it stopped being current.
    history = admin_client.get(reverse("admin:evaluation_target_history", args=[old.pk]))
    assert history.status_code == 200
    assert len(history.context["versions"]) == 2
    # The public page shows the revision and what it replaced.
    public = client.get(indicator.program.get_absolute_url()).content.decode()
    assert as_shown("Revised from 10 % (set by Program board") in public


def test_revising_an_already_revised_target_is_refused_with_a_message(admin_client, make_indicator):
    import datetime

    from evaluation.models import Target
    from evaluation.services import revise_target

    indicator = make_indicator()
    old = Target.objects.create(
        indicator=indicator,
        period_start=datetime.date(2015, 1, 1),
        period_end=datetime.date(2015, 12, 1),
        value=10,
        date_set=datetime.date(2012, 3, 1),
        set_by="Program board",
    )
    revise_target(old, value=8, date_set=datetime.date(2013, 1, 1), set_by="Board")
    post = {
        "revises": old.pk,
        "indicator": indicator.pk,
        "period_start": "2015-01",
        "period_end": "2015-12",
        "value": "6",
        "date_set": "2013-06-01",
        "set_by": "Someone else",
    }
    response = admin_client.post(reverse("admin:evaluation_target_add"), post)
    assert response.status_code == 200
    assert "already been revised" in str(response.context["adminform"].form.errors)
    response = admin_client.post(
        reverse("admin:evaluation_target_add"),
        {**post, "revises": Target.objects.get(is_current=True).pk, "period_end": "2016-12"},
    )
    assert response.status_code == 200
    assert "A revision keeps the indicator and period" in str(
        response.context["adminform"].form.errors
    )
    assert Target.objects.count() == 2


def test_a_stored_target_is_read_only_in_the_admin(admin_client, make_indicator):
    import datetime

    from evaluation.models import Target

    target = Target.objects.create(
        indicator=make_indicator(),
        period_start=datetime.date(2015, 1, 1),
        period_end=datetime.date(2015, 12, 1),
        value=10,
        date_set=datetime.date(2012, 3, 1),
        set_by="Program board",
    )
    url = reverse("admin:evaluation_target_change", args=[target.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="value"' not in page and "Revise this target…" in page
    response = admin_client.post(url, {"value": "3"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.value == 10
