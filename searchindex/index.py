"""The study library's search index: a tantivy index in SEARCH_INDEX_DIR, derived from PostgreSQL.

PostgreSQL stays the system of record and does the language work: a study's document is its
`search_vector` (the lexemes, their positions and weights, as `studies_search_document` made
them) and its facet columns, so the index matches exactly what PostgreSQL's search matches.
The index adds what PostgreSQL is slow at over many matches: BM25 ranking and facet counting.

Only published studies are indexed (the public list is all the index answers). Every write
replaces a study's whole document (`index_studies`), so applying the same change twice is
harmless, which the outbox worker relies on.
"""

import datetime
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

# The search document's weights and how much a match in each counts (title and short title A,
# authors and subject B, countries C, description D), as PostgreSQL's RANK_WEIGHTS order them.
WEIGHT_FIELDS = {"A": "weight_a", "B": "weight_b", "C": "weight_c", "D": "weight_d"}
FIELD_BOOSTS = {"weight_a": 4.0, "weight_b": 2.0, "weight_c": 1.0, "weight_d": 0.5}
WRITER_HEAP = 50_000_000
BATCH = 1000


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    # Every lexeme at its PostgreSQL position: prefixes and phrases match here, exactly as `@@`.
    builder.add_text_field("lexemes", tokenizer_name="raw", index_option="position")
    # The same lexemes by weight, once per occurrence, for BM25 (no positions needed).
    for field in WEIGHT_FIELDS.values():
        builder.add_text_field(field, tokenizer_name="raw", index_option="freq")
    # Filters and facets: raw values, fast for the aggregations that count them.
    for field in ("country", "subject", "subject_slug", "type", "author", "year", "flags"):
        builder.add_text_field(field, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field("month", indexed=True, fast=True)
    return builder.build()


SCHEMA = build_schema()

# One row per published study: its facet columns and its lexemes by weight.
DOCUMENT_SQL = """
SELECT s.id, s.subject_id, sub.slug, s.publication_month, s.country_codes, s.type_slugs,
       s.author_slugs, (s.is_multi_country OR cardinality(s.country_codes) >= 2),
       ARRAY(SELECT ARRAY[u.lexeme, p.pos::text, coalesce(u.weights[p.n], 'D')]
             FROM unnest(s.search_vector) AS u,
                  unnest(u.positions) WITH ORDINALITY AS p(pos, n)
             ORDER BY p.pos),
       ARRAY(SELECT u.lexeme FROM unnest(s.search_vector) AS u WHERE u.positions IS NULL)
FROM studies_study s JOIN studies_subject sub ON sub.id = s.subject_id
WHERE s.status = 'published' {where}
ORDER BY s.id
"""


def month_number(month: Any) -> int:
    """A month as one integer (months since year 0), for ranges and ordering."""
    return int(month.year) * 12 + int(month.month) - 1


def month_of_number(number: int) -> datetime.date:
    """The first day of the month `month_number` gave `number` for."""
    return datetime.date(number // 12, number % 12 + 1, 1)


def make_document(row: tuple[Any, ...]) -> tantivy.Document:
    (pk, subject_id, subject_slug, month, countries, types, authors, multiple, positioned, bare) = (
        row
    )
    document = tantivy.Document()
    document.add_unsigned("id", pk)
    tokens, offset = [], 0
    for lexeme, position, weight in positioned:
        tokens.append(tantivy.Token(lexeme, int(position), offset, offset + len(lexeme)))
        offset += len(lexeme) + 1
        document.add_text(WEIGHT_FIELDS.get(weight, "weight_d"), lexeme)
    for lexeme in bare:  # a lexeme without positions (a stripped vector) still matches
        tokens.append(tantivy.Token(lexeme, 0, offset, offset + len(lexeme)))
        offset += len(lexeme) + 1
        document.add_text("weight_d", lexeme)
    text = " ".join(token.text for token in tokens)
    document.add_pre_tokenized_text("lexemes", tantivy.PreTokenizedString(text, tokens))
    for code in countries:
        document.add_text("country", code)
    for slug in types:
        document.add_text("type", slug)
    for slug in authors:
        document.add_text("author", slug)
    document.add_text("subject", str(subject_id))
    document.add_text("subject_slug", subject_slug)
    document.add_text("year", str(month.year))
    document.add_integer("month", month_number(month))
    if multiple:
        document.add_text("flags", "multiple")
    # PostgreSQL counts authors over a large match set on every eighth study (studies.facets).
    if pk % 8 == 0:
        document.add_text("flags", "sample")
    return document


def documents(
    alias: str, ids: list[int] | None = None, in_session: bool = False
) -> Iterator[tantivy.Document]:
    """The documents of the published studies (of `ids` only, when given), read in batches
    from a server-side cursor; `in_session`: on the connection's own psycopg session, unseen by
    Django's query log (the test suite's catch-up, `worker.catch_up_in_session`)."""
    sql = DOCUMENT_SQL.format(where="AND s.id = ANY(%s)" if ids is not None else "")
    connection = connections[alias]
    if in_session:
        connection.ensure_connection()
    with connection.connection.cursor() if in_session else connection.chunked_cursor() as cursor:
        cursor.execute(sql, [ids] if ids is not None else [])
        while rows := cursor.fetchmany(BATCH):
            yield from (make_document(row) for row in rows)


def index_dir() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


_indexes: dict[str, tantivy.Index] = {}
_lock = threading.Lock()


# Written once the first build has committed. Until then the directory holds an index with
# nothing in it (the build creates it first), which other processes must not answer from: on a
# new machine `make run` starts the worker's first build and gunicorn together, and a visitor
# meanwhile saw "0 studies found" where PostgreSQL would have answered.
BUILT = "justicelib-built"


def open_index(create: bool = False) -> tantivy.Index | None:
    """This process's handle on the index (one per directory), or None when there is none.

    Readers reload by themselves when a writer commits (tantivy watches the index's meta file).
    """
    path = index_dir()
    key = str(path)
    with _lock:
        if key in _indexes:
            return _indexes[key]
        if not (path.is_dir() and tantivy.Index.exists(key) and (path / BUILT).exists()):
            if not create:
                return None
            path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(SCHEMA, path=key, reuse=True)
        _indexes[key] = index
        return index


def reload() -> None:
    """Make this process's searchers see the last commit now."""
    index = open_index()
    if index is not None:
        index.reload()


def forget_index() -> None:
    """Drop this process's handles (the tests move SEARCH_INDEX_DIR)."""
    with _lock:
        _indexes.clear()


def rebuild(
    alias: str,
    total: int,
    progress: Callable[[int], None] | None = None,
    in_session: bool = False,
) -> int:
    """Replace the whole index with the published studies, in one commit: readers see the old
    index until the new one is complete. Returns the number of studies indexed."""
    index = open_index(create=True)
    assert index is not None
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    try:
        writer.delete_all_documents()
        count = 0
        for document in documents(alias, in_session=in_session):
            writer.add_document(document)
            count += 1
            if progress and count % BATCH == 0:
                progress(count)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    (index_dir() / BUILT).touch()
    index.reload()
    if progress:
        progress(count)
    return count


def index_studies(
    writer: tantivy.IndexWriter, alias: str, ids: Iterable[int], in_session: bool = False
) -> None:
    """Replace the documents of `ids` with their current state (none for a study deleted or
    no longer published). The caller commits."""
    ids = sorted(set(ids))
    if ids:
        # By query, not `delete_documents_by_term`: the binding makes a Python int an i64 term,
        # which never equals the u64 id.
        writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, "id", ids))
    for document in documents(alias, ids, in_session):
        writer.add_document(document)
