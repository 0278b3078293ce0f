"""Fill a benchmark database with realistic synthetic studies, programs and measurements.

    JUSTICELIB_DB_NAME=justicelib_bench python manage.py generate_synthetic \
        --studies 100000 --programs 2000 --measurements 1000000

Refuses to run on any database whose name does not end in `_bench`, so the demo data is never
touched. Rows go in with PostgreSQL's COPY; the search and rule triggers are switched off while
loading (the generated rows obey the rules by construction) and the search columns are computed
once at the end, in one statement. Skewed like a real library: a few countries, subjects and
authors carry most studies (Zipf weights), dates cluster in recent years.
"""

import datetime
import random
import sys
import time
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# Words for titles and descriptions: the library's own vocabulary, so searches behave as they do
# on real data (common words are common, rare words are rare).
TOPIC_WORDS = (
    "violence justice police prosecution courts trafficking children women widows land property "
    "labour forced bonded slavery exploitation commercial sexual assault survivors victims "
    "prevalence baseline endline evaluation monitoring performance system response community "
    "investigation conviction prosecutors judges casefile review survey household undercover "
    "rescue restoration protection impunity accountability perpetrators brothel online cybersex "
    "fishing industry supply chains domestic migrant workers debt bondage abuse power detention "
    "torture citizens poverty rights reform training capacity transformation model program"
).split()
FILLER_WORDS = (
    "the of in and a to for on with from by study report assessment analysis findings results "
    "data evidence review national regional district city rural urban local public private among "
    "over under during after before new first second annual final interim summary"
).split()
RARE_WORDS = (
    "xylograph quokka zephyrine marimba obsidian halcyon tamarind vellichor petrichor saudade "
    "limerence sonder hiraeth apricity eunoia komorebi"
).split()

COUNTRIES = [
    ("PH", "Philippines"), ("IN", "India"), ("KH", "Cambodia"), ("UG", "Uganda"),
    ("GT", "Guatemala"), ("KE", "Kenya"), ("TH", "Thailand"), ("GH", "Ghana"),
    ("DO", "Dominican Republic"), ("BO", "Bolivia"), ("TZ", "Tanzania"), ("BD", "Bangladesh"),
    ("NP", "Nepal"), ("MY", "Malaysia"), ("ID", "Indonesia"), ("VN", "Vietnam"),
    ("MM", "Myanmar"), ("LA", "Laos"), ("PK", "Pakistan"), ("LK", "Sri Lanka"),
    ("NG", "Nigeria"), ("ZA", "South Africa"), ("ZM", "Zambia"), ("RW", "Rwanda"),
    ("HN", "Honduras"), ("SV", "El Salvador"), ("PE", "Peru"), ("CO", "Colombia"),
    ("BR", "Brazil"), ("MX", "Mexico"), ("US", "United States"), ("GB", "United Kingdom"),
    ("AU", "Australia"), ("CA", "Canada"), ("DE", "Germany"), ("NL", "Netherlands"),
    ("ET", "Ethiopia"), ("MW", "Malawi"), ("MZ", "Mozambique"), ("SN", "Senegal"),
]  # fmt: skip
# Other names a searcher may type, comma-separated as curators write them.
COUNTRY_ALIASES = {"US": "USA, America", "GB": "UK, Britain", "PH": "Pilipinas"}
SUBJECTS = [
    "Sex trafficking", "Forced Labour", "Land theft", "Sexual Violence Against Children",
    "Cybersex trafficking of children", "Police abuse of power", "Domestic violence",
    "Bonded labour", "Child labour", "Violence against women", "Modern Slavery in Supply Chains",
    "Illegal detention", "Citizen rights", "Online sexual exploitation", "Elder abuse",
    "Gender-based violence", "Migrant worker exploitation", "Debt bondage", "Child marriage",
    "Justice system reform",
]  # fmt: skip
RESOURCE_TYPES = [
    ("crime-prevalence-study", "Crime Prevalence Study"),
    ("article-or-white-paper", "Article or White Paper"),
    ("endline-study", "Endline Study"),
    ("program-evaluation", "Program Evaluation"),
    ("other-study-type", "Other Study Type"),
    ("validation-study", "Validation Study"),
    ("public-justice-system-performance-study", "Public Justice System Performance Study"),
    ("impact-study", "Impact Study"),
    ("baseline-study", "Baseline Study"),
]
GIVEN = "Anna Maria Joseph David Grace Samuel Ruth John Esther Peter Mary Paul Sarah James".split()
FAMILY = (
    "Santos Reyes Cruz Garcia Mendoza Okello Nakato Mensah Owusu Sok Chan Patel Singh Sharma "
    "Haarr Stone Jones Smith Nguyen Tran Lopez Perez Mwangi Achieng Banda Phiri Kato Musoke"
).split()
ORG_SUFFIXES = ["Institute", "Foundation", "University", "Research Centre", "Alliance", "Network"]


def zipf_weights(n: int, exponent: float = 1.1) -> list[float]:
    return list(accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


class Progress:
    """A one-line text progress bar on stderr (no dependency needed for it)."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.started = label, total, 0, time.monotonic()
        self.last_drawn = 0.0

    def advance(self, n: int = 1):
        self.done += n
        now = time.monotonic()
        if now - self.last_drawn > 0.2 or self.done >= self.total:
            self.last_drawn = now
            share = self.done / self.total if self.total else 1
            bar = "#" * int(share * 30)
            sys.stderr.write(
                f"\r{self.label:<14} [{bar:<30}] {self.done:>9,}/{self.total:,} "
                f"{now - self.started:6.1f}s"
            )
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


class Command(BaseCommand):
    help = "Fill a *_bench database with synthetic studies, programs and measurements."

    def add_arguments(self, parser):
        parser.add_argument("--studies", type=int, default=100_000)
        parser.add_argument("--authors", type=int, default=20_000)
        parser.add_argument("--programs", type=int, default=2_000)
        parser.add_argument("--measurements", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument(
            "--pages-per-study",
            type=int,
            default=2,
            help="Synthetic page text of each study's (file-less) main file, for the full-text "
            "search; 0 for none.",
        )
        parser.add_argument("--words-per-page", type=int, default=150)
        parser.add_argument(
            "--skip-vacuum", action="store_true", help="Leave VACUUM out (inside a transaction)."
        )
        parser.add_argument(
            "--unless-present",
            action="store_true",
            help="Do nothing when the database already holds at least --studies studies.",
        )

    def handle(self, *args, **options):
        name = connection.settings_dict["NAME"]
        if not name.endswith("_bench"):
            raise CommandError(
                f"Refusing to fill “{name}”: synthetic data goes only into a database whose name "
                "ends in _bench (set JUSTICELIB_DB_NAME=justicelib_bench or a DATABASE_URL to one)."
            )
        if options["unless_present"]:
            from studies.models import Study

            present = Study.objects.count()
            if present >= options["studies"]:
                self.stdout.write(f"Synthetic data present ({present:,} studies): kept.")
                return
        self.random = random.Random(options["seed"])
        started = time.monotonic()
        with transaction.atomic():
            # Django's foreign keys are deferred; checked at once here, so that no trigger events
            # are pending when the other triggers are switched back on.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.empty_tables()
            self.set_triggers(enabled=False)
            vocabulary = self.create_vocabularies()
            author_ids = self.create_authors(options["authors"])
            study_ids = self.create_studies(options["studies"], vocabulary, author_ids)
            if options["pages_per_study"] > 0:
                # Their own random stream, so that the rest of the data is the same with or
                # without page text.
                self.create_file_pages(
                    study_ids,
                    options["pages_per_study"],
                    options["words_per_page"],
                    random.Random(options["seed"] + 1),
                )
            self.create_programs(
                options["programs"], options["measurements"], vocabulary, study_ids
            )
            self.set_triggers(enabled=True)
            self.build_search_columns()
        if not options["skip_vacuum"]:
            with connection.cursor() as cursor:
                # Computing the search columns rewrote every study row: compact the table (half
                # its size), then statistics for the planner and the visibility map for
                # index-only scans.
                cursor.execute("VACUUM FULL studies_study")
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")

    # --- plumbing -------------------------------------------------------------------------------
    TABLES = [
        "evaluation_measurement",
        "evaluation_indicator",
        "evaluation_programstudy",
        "evaluation_program",
        "studies_authorship",
        "studies_studyfilepage",
        "studies_studyfile",
        "studies_study_countries",
        "studies_study_resource_types",
        "studies_study",
        "studies_author",
        "studies_country",
        "studies_subject",
        "studies_resourcetype",
        "studies_searchterm",
    ]

    def empty_tables(self):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(self.TABLES)} RESTART IDENTITY CASCADE")

    def set_triggers(self, enabled: bool):
        action = "ENABLE" if enabled else "DISABLE"
        with connection.cursor() as cursor:
            for table in self.TABLES:
                cursor.execute(f"ALTER TABLE {table} {action} TRIGGER USER")

    def copy(self, table: str, columns: list[str], rows, label: str, total: int):
        """COPY `rows` into `table`, drawing progress (ids are chosen here, not by the database)."""
        progress = Progress(label, total)
        raw = connection.connection  # the psycopg connection inside Django's transaction
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                progress.advance()

    def pick(self, population, cumulative_weights, k=1):
        return self.random.choices(population, cum_weights=cumulative_weights, k=k)

    def sentence(self, words: int) -> str:
        parts = []
        for _ in range(words):
            roll = self.random.random()
            if roll < 0.0005:
                parts.append(self.random.choice(RARE_WORDS))
            elif roll < 0.55:
                parts.append(self.random.choice(TOPIC_WORDS))
            else:
                parts.append(self.random.choice(FILLER_WORDS))
        return " ".join(parts)

    # --- vocabularies -----------------------------------------------------------------------------
    def create_vocabularies(self):
        now = datetime.datetime.now(datetime.UTC)
        self.copy(
            "studies_country",
            ["id", "code", "name", "aliases"],
            (
                (i, code, name, COUNTRY_ALIASES.get(code, ""))
                for i, (code, name) in enumerate(COUNTRIES, start=1)
            ),
            "countries",
            len(COUNTRIES),
        )
        self.copy(
            "studies_subject",
            ["id", "name", "slug"],
            ((i, name, name.lower().replace(" ", "-")) for i, name in enumerate(SUBJECTS, start=1)),
            "subjects",
            len(SUBJECTS),
        )
        self.copy(
            "studies_resourcetype",
            ["id", "name", "slug"],
            ((i, name, slug) for i, (slug, name) in enumerate(RESOURCE_TYPES, start=1)),
            "types",
            len(RESOURCE_TYPES),
        )
        self.now = now
        return {
            "countries": list(range(1, len(COUNTRIES) + 1)),
            "subjects": list(range(1, len(SUBJECTS) + 1)),
            "types": list(range(1, len(RESOURCE_TYPES) + 1)),
        }

    def create_authors(self, count: int) -> list[int]:
        def rows():
            for i in range(1, count + 1):
                if self.random.random() < 0.3:
                    name = f"{self.random.choice(FAMILY)} {self.random.choice(ORG_SUFFIXES)} {i}"
                    yield (i, name, f"org-{i}", "organisation", "", "", "")
                else:
                    given, family = self.random.choice(GIVEN), self.random.choice(FAMILY)
                    name = f"{given} {family}"
                    yield (i, name, f"person-{i}", "person", f"{family}", given, "")

        self.copy(
            "studies_author",
            ["id", "name", "slug", "kind", "family_name", "given_names", "alternate_names"],
            rows(),
            "authors",
            count,
        )
        return list(range(1, count + 1))

    # --- studies ----------------------------------------------------------------------------------
    def create_studies(self, count: int, vocabulary, author_ids) -> list[int]:
        country_weights = zipf_weights(len(vocabulary["countries"]))
        subject_weights = zipf_weights(len(vocabulary["subjects"]))
        type_weights = zipf_weights(len(vocabulary["types"]), 0.8)
        author_weights = zipf_weights(len(author_ids), 1.05)
        years = list(range(1996, 2026))
        year_weights = list(accumulate(1.12**n for n in range(len(years))))
        links: dict[str, list[tuple[int, ...]]] = {"countries": [], "types": [], "authors": []}
        # Programs cite published studies only (a rule the database enforces).
        self.published_ids: list[int] = []

        def studies():
            for study_id in range(1, count + 1):
                title = self.sentence(self.random.randint(5, 14)).capitalize()
                description = self.sentence(self.random.randint(30, 160)).capitalize() + "."
                year = self.pick(years, year_weights)[0]
                month = datetime.date(year, self.random.randint(1, 12), 1)
                multi = self.random.random() < 0.08
                n_countries = self.random.randint(2, 5) if multi else 1
                countries = set(self.pick(vocabulary["countries"], country_weights, n_countries))
                if multi and self.random.random() < 0.3:
                    countries = set()  # multi-country, no country named
                # Ticked only when no country is named: two or more named are multi-country
                # anyway, and the database refuses both at once.
                multi = not countries
                for country_id in countries:
                    links["countries"].append((study_id, country_id))
                types = set(self.pick(vocabulary["types"], type_weights, self.random.randint(1, 3)))
                for type_id in types:
                    links["types"].append((study_id, type_id))
                authors = list(
                    dict.fromkeys(self.pick(author_ids, author_weights, self.random.randint(1, 4)))
                )
                for position, author_id in enumerate(authors, start=1):
                    links["authors"].append((study_id, author_id, position))
                status = "published" if self.random.random() < 0.97 else "draft"
                if status == "published":
                    self.published_ids.append(study_id)
                yield (
                    study_id,
                    title[:500],
                    "",
                    f"synthetic-study-{study_id}",
                    description,
                    month,
                    multi,
                    self.pick(vocabulary["subjects"], subject_weights)[0],
                    status,
                    "",
                    "",
                    self.now,
                    self.now,
                    [],  # country codes, type and author slugs: computed with the search columns
                    [],
                    [],
                )

        self.copy(
            "studies_study",
            [
                "id", "title", "short_title", "slug", "description", "publication_month",
                "is_multi_country", "subject_id", "status", "pdf", "external_url",
                "created_at", "updated_at", "country_codes", "type_slugs", "author_slugs",
            ],
            studies(),
            "studies",
            count,
        )  # fmt: skip
        self.copy(
            "studies_study_countries",
            ["study_id", "country_id"],
            iter(links["countries"]),
            "study countries",
            len(links["countries"]),
        )
        self.copy(
            "studies_study_resource_types",
            ["study_id", "resourcetype_id"],
            iter(links["types"]),
            "study types",
            len(links["types"]),
        )
        self.copy(
            "studies_authorship",
            ["study_id", "author_id", "position"],
            iter(links["authors"]),
            "authorships",
            len(links["authors"]),
        )
        return list(range(1, count + 1))

    def create_file_pages(self, study_ids, pages: int, words: int, page_random) -> None:
        """One main file per study, already “processed”, with `pages` pages of synthetic text.

        No PDF bytes are stored: the rows exist for the search document (weight D) and the
        search within files; the file links of a synthetic study answer 404.
        """
        vocabulary = TOPIC_WORDS + FILLER_WORDS

        def page_text() -> str:
            return " ".join(page_random.choices(vocabulary, k=words))

        self.copy(
            "studies_studyfile",
            [
                "id", "study_id", "file", "label", "language", "position", "is_main", "pages",
                "size_bytes", "sha256", "processed_at", "has_text_layer", "processing_error",
                "preview",
            ],
            (
                (study_id, study_id, f"studies/synthetic-{study_id}.pdf", "", "", 1, True,
                 pages, 40_000 * pages, "", self.now, True, "", "")
                for study_id in study_ids
            ),
            "study files",
            len(study_ids),
        )  # fmt: skip
        self.copy(
            "studies_studyfilepage",
            ["file_id", "number", "text"],
            (
                (study_id, number, page_text())
                for study_id in study_ids
                for number in range(1, pages + 1)
            ),
            "file pages",
            len(study_ids) * pages,
        )
        with connection.cursor() as cursor:
            # What the main-file trigger (disabled during the load) would have copied.
            cursor.execute(
                "UPDATE studies_study s SET pdf = f.file FROM studies_studyfile f "
                "WHERE f.study_id = s.id AND f.is_main"
            )
            for table in ["studies_studyfile", "studies_studyfilepage"]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )

    # --- programs and measurements ----------------------------------------------------------------
    def create_programs(self, count: int, measurements: int, vocabulary, study_ids):
        if not count:
            return
        per_indicator = 125  # baseline + monthly monitoring + endline: a ten-year program
        indicators_needed = max(count, measurements // per_indicator)
        per_program = max(1, indicators_needed // count)
        programs, indicators = [], []
        indicator_id = 0
        for program_id in range(1, count + 1):
            start = datetime.date(self.random.randint(1996, 2014), self.random.randint(1, 12), 1)
            months = per_indicator + 2
            end = add_months(start, months)
            programs.append(
                (
                    program_id,
                    f"Program against {self.random.choice(TOPIC_WORDS)} {program_id}",
                    f"synthetic-program-{program_id}",
                    self.random.choice(vocabulary["countries"]),
                    f"District {program_id % 97}",
                    self.random.choice(vocabulary["subjects"]),
                    start,
                    end,
                    self.sentence(60).capitalize() + ".",
                    "",
                    "completed",
                )
            )
            for position in range(1, per_program + 1):
                indicator_id += 1
                percent = position % 2 == 1
                indicators.append(
                    (
                        indicator_id,
                        program_id,
                        f"Indicator {position}",
                        f"indicator {position}",
                        f"indicator-{position}",
                        "crime_prevalence" if position == 1 else "justice_system",
                        "Synthetic definition.",
                        "percent" if percent else "count",
                        "lower_is_better" if position == 1 else "higher_is_better",
                        "household survey",
                        "",
                        "",
                        position == 1,
                        position,
                    )
                )
        total_measurements = len(indicators) * per_indicator

        def measurement_rows():
            measurement_id = 0
            for indicator in indicators:
                program = programs[indicator[1] - 1]
                start, percent = program[6], indicator[7] == "percent"
                level = self.random.uniform(10, 60) if percent else self.random.randint(5, 500)
                for step in range(per_indicator):
                    measurement_id += 1
                    phase = (
                        "baseline"
                        if step == 0
                        else "endline"
                        if step == per_indicator - 1
                        else "monitoring"
                    )
                    month = add_months(start, step + (1 if phase == "endline" else 0))
                    level = max(0.0, level * self.random.uniform(0.97, 1.02))
                    value = round(min(level, 100.0) if percent else level, 2)
                    yield (
                        measurement_id,
                        indicator[0],
                        phase,
                        month,
                        month,
                        "",
                        "point",
                        value,
                        "",
                        self.random.choice(self.published_ids),
                        "",
                        "",
                        "",
                    )

        self.copy(
            "evaluation_program",
            [
                "id", "name", "slug", "country_id", "area", "subject_id", "start_month",
                "end_month", "summary", "partners", "status",
            ],
            iter(programs),
            "programs",
            len(programs),
        )  # fmt: skip
        self.copy(
            "evaluation_indicator",
            [
                "id", "program_id", "name", "short_name", "slug", "kind", "definition", "unit",
                "direction", "method", "disaggregation", "notes", "is_headline", "position",
            ],
            iter(indicators),
            "indicators",
            len(indicators),
        )  # fmt: skip
        self.copy(
            "evaluation_measurement",
            [
                "id", "indicator_id", "phase", "period_start", "period_end", "period_wording",
                "value_kind", "value", "published_wording", "source_study_id",
                "source_reference", "source_citation", "notes",
            ],
            measurement_rows(),
            "measurements",
            total_measurements,
        )  # fmt: skip

    def build_search_columns(self):
        """Compute every study's search document and the word list, once, in the database."""
        self.stderr.write("search index   computing search documents and word list…")
        started = time.monotonic()
        with connection.cursor() as cursor:
            # The triggers look up each study's links by index; without statistics on the
            # freshly loaded tables the planner would scan them once per study.
            cursor.execute(
                "ANALYZE studies_authorship, studies_study_countries, "
                "studies_study_resource_types, studies_author, studies_country, "
                "studies_resourcetype, studies_subject, studies_studyfile, studies_studyfilepage, "
                "studies_study"
            )
            # The database's own functions, the ones its triggers use (studies/sql/search.sql),
            # so the bulk result is what the triggers would have written row by row.
            cursor.execute("SELECT studies_rebuild_search()")
            for table in ["studies_study", "studies_author", "studies_country"]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            for table in [
                "studies_subject",
                "studies_resourcetype",
                "studies_authorship",
                "evaluation_program",
                "evaluation_indicator",
                "evaluation_measurement",
            ]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
        self.stderr.write(f"search index   done in {time.monotonic() - started:.0f} s")


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)
