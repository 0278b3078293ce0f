"""Measure JusticeLib on a large synthetic database, as served by gunicorn (`make bench`).

For each page: p50/p95 latency over many distinct URLs (filter combinations, search words,
slugs — never one URL repeated into a cache), queries per request, the time those queries take
in the database, and the ratio of page time to SQL time (what Django adds). Then throughput
under concurrent load from `wrk` on loopback, against a static file as the ceiling, and the peak
memory of a gunicorn worker. Prints a Markdown table and, with --readme, writes it into the
README between the benchmark markers.
"""

import datetime
import itertools
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client

# The throughput test's list URLs: how many distinct ones, and how many requests drawn from them.
LOAD_DISTINCT_URLS = 10_000
LOAD_SEQUENCE = 100_000
# The README's tables sit between `<!-- NAME:start -->` and `<!-- NAME:end -->`: `benchmark` for
# the 100,000-study run, `benchmark-1m` for the 1,000,000-study one (`--readme-table`).
README_TABLE = "benchmark"


@dataclass
class PageResult:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: int = 0

    def p(self, values, q):
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class SqlTimer:
    """An execute wrapper adding up the time every query of a request spends in the database."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class Command(BaseCommand):
    help = "Benchmark the pages against the synthetic database (see `make bench`)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8001")
        parser.add_argument("--requests", type=int, default=200, help="per page")
        parser.add_argument("--sql-samples", type=int, default=40, help="per page, in-process")
        parser.add_argument("--load-seconds", type=int, default=15)
        parser.add_argument("--gunicorn-pid", type=int)
        parser.add_argument("--readme", type=Path)
        parser.add_argument(
            "--readme-table", default=README_TABLE, help="the README markers' name to write between"
        )

    def handle(self, *args, **options):
        if not connection.settings_dict["NAME"].endswith("_bench"):
            raise CommandError("Run against the synthetic *_bench database (see `make bench`).")
        self.random = random.Random(7)
        self.base_url = options["base_url"].rstrip("/")
        self.session_cookie = self.admin_session()
        pages = self.url_sets(options["requests"])
        results = []
        for name, urls in pages.items():
            self.stderr.write(f"{name}: {len(urls)} requests")
            result = PageResult(name)
            for url in urls:
                started = time.perf_counter()
                ok = self.fetch(url, admin=name.startswith("admin"))
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.errors += not ok
            for url in urls[: options["sql_samples"]]:
                count, seconds = self.sql_cost(url, admin=name.startswith("admin"))
                result.queries.append(count)
                result.sql_ms.append(seconds * 1000)
            results.append(result)
        load = self.load_test(pages, options["load_seconds"])
        memory = self.worker_memory(options["gunicorn_pid"])
        report = self.report(results, load, memory)
        self.stdout.write(report)
        if options["readme"] and options["requests"] >= 200:
            self.write_readme(options["readme"], report, options["readme_table"])
        elif options["readme"]:
            self.stderr.write("Fewer than 200 requests a page: README.md left as it was.")

    # --- the URLs ------------------------------------------------------------------------------
    def url_sets(self, n: int) -> dict[str, list[str]]:
        from evaluation.models import Program
        from studies.models import Author, Country, ResourceType, Study, Subject

        countries = list(Country.objects.values_list("code", flat=True))
        subjects = list(Subject.objects.values_list("slug", flat=True))
        types = list(ResourceType.objects.values_list("slug", flat=True))
        authors = list(Author.objects.order_by("?").values_list("slug", flat=True)[:500])
        sorts = ["newest", "oldest", "title"]
        common_words = [
            "trafficking", "police", "children", "justice", "violence", "labour", "courts",
            "survey", "widows", "prosecution", "evaluation", "community", "rescue", "slavery",
        ]  # fmt: skip
        rare_words = [
            "xylograph", "quokka", "zephyrine", "marimba", "obsidian", "halcyon", "tamarind",
            "vellichor", "petrichor", "saudade", "limerence", "sonder", "hiraeth", "apricity",
        ]  # fmt: skip
        pick = self.random.choice

        def distinct(make, count):
            urls, tries = [], 0
            while len(urls) < count and tries < count * 50:
                tries += 1
                url = make()
                if url not in urls:
                    urls.append(url)
            return urls

        def two_facets():
            a, b = self.random.sample(["country", "subject", "type", "author"], 2)
            values = {"country": countries, "subject": subjects, "type": types, "author": authors}
            return f"/studies/?{a}={pick(values[a])}&{b}={pick(values[b])}&sort={pick(sorts)}"

        slugs = list(Study.objects.published().order_by("?").values_list("slug", flat=True)[:n])
        program_slugs = list(Program.objects.order_by("?").values_list("slug", flat=True)[:n])
        export_filters = self.export_filters(countries, subjects, types, count=n)
        return {
            "/studies/ unfiltered": distinct(
                lambda: f"/studies/?sort={pick(sorts)}&page={self.random.randint(1, 100)}", n
            ),
            "/studies/ two facets": distinct(two_facets, n),
            "/studies/ q common word": distinct(
                lambda: f"/studies/?q={pick(common_words)}&country={pick(countries)}", n
            ),
            "/studies/ q rare word": distinct(
                lambda: (
                    f"/studies/?q={pick(rare_words)}&page={self.random.randint(1, 3)}"
                    f"&sort={pick(['relevance', 'newest'])}"
                    f"&year_from={self.random.randint(1996, 2010)}"
                ),
                n,
            ),
            "/studies/ deep page": distinct(
                lambda: f"/studies/?page={self.random.randint(2000, 4800)}&sort={pick(sorts)}", n
            ),
            "/studies/<slug>/": [f"/studies/{slug}/" for slug in slugs],
            "/programs/<slug>/": [f"/programs/{slug}/" for slug in program_slugs],
            "CSV export (10,000 rows)": [f"/studies/export.csv?{q}" for q in export_filters],
            "admin study list": distinct(
                lambda: (
                    f"/admin/studies/study/?p={self.random.randint(1, 60)}"
                    f"{pick(['', '&status__exact=published', '&status__exact=draft'])}"
                    f"&o={pick(['1', '-3', '3'])}"
                ),
                n,
            ),
        }

    def export_filters(self, countries, subjects, types, count: int = 200) -> list[str]:
        """Distinct filter combinations matching about 10,000 studies each, for the CSV export:
        one or two countries and a window of years, widened until it holds 10,000."""
        from itertools import combinations

        from django.db.models import Count
        from django.db.models.functions import ExtractYear

        from studies.models import Study

        per_country_year: dict[str, dict[int, int]] = {}
        rows = (
            Study.objects.published()
            .values("countries__code")
            .annotate(year=ExtractYear("publication_month"), n=Count("pk"))
            .values_list("countries__code", "year", "n")
        )
        for code, year, n in rows:
            if code:
                per_country_year.setdefault(code, {})[year] = n
        biggest = sorted(per_country_year, key=lambda code: -sum(per_country_year[code].values()))
        groups = [(code,) for code in biggest[:14]] + list(combinations(biggest[:14], 2))
        found = []
        for group in groups:
            years: dict[int, int] = {}
            for code in group:
                for year, n in per_country_year[code].items():
                    years[year] = years.get(year, 0) + n
            for year_to in sorted(years, reverse=True):
                total = 0
                for year_from in range(year_to, min(years) - 1, -1):
                    total += years.get(year_from, 0)
                    if total >= 10_000:
                        countries_query = "&".join(f"country={code}" for code in group)
                        found.append(f"{countries_query}&year_from={year_from}&year_to={year_to}")
                        break
                if len(found) >= count:
                    return found
        if not found:
            raise CommandError("No filter combination matches 10,000 studies: generate more data.")
        return found

    # --- measuring -----------------------------------------------------------------------------
    def admin_session(self) -> str:
        user, _ = get_user_model().objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        self.admin_user = user
        assert session.session_key is not None  # create() saved the session under a new key
        return session.session_key

    def fetch(self, url: str, admin: bool = False) -> bool:
        request = urllib.request.Request(self.base_url + url)
        if admin:
            request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={self.session_cookie}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                while response.read(65536):
                    pass
                return response.status == 200
        except Exception as error:  # any failure counts as an error in the table
            self.stderr.write(f"  error on {url}: {error}")
            return False

    def sql_cost(self, url: str, admin: bool = False) -> tuple[int, float]:
        client = Client(HTTP_HOST="127.0.0.1")
        if admin:
            client.force_login(self.admin_user)
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            response = client.get(url)
            if isinstance(response, StreamingHttpResponse):
                for _chunk in response.streaming_content:
                    pass
        return timer.count, timer.seconds

    def list_mix(self, pages, count: int = LOAD_DISTINCT_URLS) -> list[str]:
        """`count` distinct list URLs, a mix of what visitors ask for: pages of the whole list,
        one or two facets, search words common and rare, years; in random order."""
        kinds = [
            pages["/studies/ unfiltered"],
            pages["/studies/ two facets"],
            pages["/studies/ q common word"],
            pages["/studies/ q rare word"],
        ]
        urls = dict.fromkeys(url for kind in kinds for url in kind)
        parts = [url.split("?", 1)[1].split("&") for url in urls]
        tries = 0
        while len(urls) < count and tries < count * 20:
            tries += 1
            # Recombine the parameters of two sampled URLs: new, plausible combinations.
            first, second = self.random.sample(parts, 2)
            chosen = dict(p.split("=", 1) for p in first + second[: self.random.randint(0, 1)])
            urls.setdefault("/studies/?" + "&".join(f"{k}={v}" for k, v in chosen.items()))
        mix = list(urls)[:count]
        self.random.shuffle(mix)
        return mix

    def zipf_sequence(self, urls: list[str], length: int = LOAD_SEQUENCE) -> list[str]:
        """Requests drawn from `urls` with Zipf's law (s = 1): the k-th URL is asked for 1/k as
        often as the first, as real traffic repeats popular filters."""
        weights = list(itertools.accumulate(1 / rank for rank in range(1, len(urls) + 1)))
        return self.random.choices(urls, cum_weights=weights, k=length)

    def load_test(self, pages, seconds: int) -> list[tuple[str, str, str]]:
        if not shutil.which("wrk"):
            return [("(wrk not installed: `apt-get install wrk`)", "", "")]
        mix = self.list_mix(pages)
        sequence = self.zipf_sequence(mix)
        # Real traffic meets a cache that earlier traffic filled: the Zipf row is measured after
        # `seconds` of the same traffic (not reported), from where that run stopped, so the
        # pages it counts are the popular ones seen before and the tail's first visits.
        warmed, _, _ = self.wrk(sequence, seconds)
        _, rate, errors = self.wrk(sequence[warmed:] + sequence[:warmed], seconds)
        rows = [(f"/studies/, Zipf over {len(mix):,} distinct URLs, after {seconds} s of it",
                 rate, errors)]  # fmt: skip
        _, rate, errors = self.wrk(mix, seconds)
        rows.append((f"/studies/, all distinct ({len(mix):,} URLs, none repeated)", rate, errors))
        _, rate, errors = self.wrk([staticfiles_storage.url("css/site.css")], seconds)
        rows.append(("static file", rate, errors))
        return rows

    def wrk(self, urls: list[str], seconds: int) -> tuple[int, str, str]:
        """Runs wrk over `urls` in order (each thread from its own place); returns the requests
        it made and per second, and its errors ("0" when none)."""
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            paths = ",\n".join(f'"{u}"' for u in urls)
            script.write(
                f"local paths = {{{paths}}}\nlocal threads = 0\n"
                "function setup(thread)\n  thread:set('start', threads * 7919)\n"
                "  threads = threads + 1\nend\n"
                "function init(args)\n  i = start or 0\nend\n"
                "request = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n"
            )
        output = subprocess.run(
            [shutil.which("wrk") or "wrk", "-t2", "-c16", f"-d{seconds}s", "-s", script.name,
             self.base_url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout  # fmt: skip
        os.unlink(script.name)
        made = re.search(r"(\d+) requests in", output)
        rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
        errors = re.findall(r"(Socket errors:.*|Non-2xx or 3xx responses: \d+)", output)
        return (
            int(made.group(1)) if made else 0,
            f"{float(rate.group(1)):.0f}" if rate else "?",
            "; ".join(errors) or "0",
        )

    def worker_memory(self, master_pid: int | None) -> str:
        if not master_pid:
            return "unknown (no --gunicorn-pid)"
        peaks = []
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return ", ".join(f"{peak:.0f} MB" for peak in peaks) or "unknown"

    # --- reporting -----------------------------------------------------------------------------
    def report(self, results: list[PageResult], load, memory: str) -> str:
        from studies.models import Study

        cores = os.cpu_count()
        memory_line = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        mem_kb = int(memory_line.group(1)) if memory_line else 0
        lines = [
            f"Measured {datetime.date.today():%Y-%m-%d} on {platform.machine()}, {cores} cores, "
            f"{mem_kb / 1024 / 1024:.0f} GiB memory, PostgreSQL "
            f"{connection.cursor().connection.info.server_version // 10000}; "
            f"{Study.objects.count():,} studies. "
            "Gunicorn (gunicorn.conf.py: 2 gthread workers), DEBUG off.",
            "",
            "| page | requests | p50 ms | p95 ms | queries | SQL p50 ms | SQL p95 ms "
            "| page/SQL | errors |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in results:
            queries = sorted(set(r.queries))
            query_text = "–".join(str(q) for q in (queries[0], queries[-1])) if queries else "?"
            if queries and queries[0] == queries[-1]:
                query_text = str(queries[0])
            sql50 = statistics.median(r.sql_ms) if r.sql_ms else float("nan")
            page50 = statistics.median(r.latencies_ms)
            page95 = r.p(r.latencies_ms, 95)
            lines.append(
                f"| {r.name} | {len(r.latencies_ms)} | {page50:.1f} | {page95:.1f} "
                f"| {query_text} | {sql50:.1f} | {r.p(r.sql_ms, 95):.1f} "
                f"| {page50 / sql50 if sql50 else float('nan'):.1f} | {r.errors} |"
            )
        lines += [
            "",
            "| load (wrk, 2 threads, 16 connections) | requests/s | errors |",
            "|---|---|---|",
        ]
        lines += [f"| {label} | {rate} | {errors} |" for label, rate, errors in load]
        lines += ["", f"Peak memory (VmHWM) of each gunicorn worker: {memory}."]
        return "\n".join(lines) + "\n"

    def write_readme(self, path: Path, report: str, table: str = README_TABLE):
        start, end = f"<!-- {table}:start -->", f"<!-- {table}:end -->"
        text = path.read_text()
        if start not in text or end not in text:
            raise CommandError(f"{path} has no {start} … {end} markers")
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        path.write_text(f"{before}{start}\n{report}{end}{after}")
