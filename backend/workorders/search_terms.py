"""The words an order is found by, and how a search box's text becomes a query on them.

Chinese has no spaces, so Han text is indexed as overlapping character pairs (bigrams, the
classic n-gram approach to CJK full text) plus each run's last character: any substring of
two or more characters is then the AND of its pairs, and a single character is a prefix of
some term. Latin letters and digits are indexed as whole words, and as their letter and
digit parts, so "WG20261122-0001", "20261122" and "0001" all find an order number. Both
databases get the same terms: SQLite through FTS5, PostgreSQL through a GIN index on a
tsvector made of them (backend.workorders.listing.repository).

Pure: no web or database imports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Han ideographs (CJK unified, extension A, compatibility) and Latin/digit words.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
_PARTS = re.compile(r"[a-z]+|[0-9]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")

# A query is cut to this many terms: each term is one more index lookup.
MAX_QUERY_TERMS = 12


def _normal(text: str) -> str:
    # Full-width digits and letters (１２３, ＷＧ) as phone keyboards type them.
    return unicodedata.normalize("NFKC", text).lower()


def _han_terms(run: str) -> list[str]:
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return [*pairs, run[-1]]


def _word_terms(word: str) -> list[str]:
    parts = _PARTS.findall(word)
    return [word, *parts] if len(parts) > 1 else [word]


def index_terms(*texts: str | None) -> str:
    """The space-separated, de-duplicated terms of an order's searchable texts."""
    terms: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        normal = _normal(text)
        # An order number is written with a hyphen; searching it whole must find it too.
        for joined in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", normal):
            terms.setdefault(joined.replace("-", ""), None)
        for token in _TOKEN.findall(normal):
            for term in _han_terms(token) if _HAN_RUN.fullmatch(token) else _word_terms(token):
                terms.setdefault(term, None)
    return " ".join(terms)


@dataclass(frozen=True)
class QueryTerm:
    text: str
    prefix: bool  # matches any indexed term starting with ``text``


def query_terms(q: str) -> tuple[QueryTerm, ...]:
    """The terms all of which an order must have to match ``q`` (empty: match nothing)."""
    normal = _normal(q)
    found: dict[QueryTerm, None] = {}
    for joined in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", normal):
        found.setdefault(QueryTerm(joined.replace("-", ""), True), None)
        normal = normal.replace(joined, " ")
    for token in _TOKEN.findall(normal):
        if _HAN_RUN.fullmatch(token):
            if len(token) == 1:
                found.setdefault(QueryTerm(token, True), None)
            for i in range(len(token) - 1):
                found.setdefault(QueryTerm(token[i : i + 2], False), None)
        else:
            # Typed words may be the start of a longer one (a number being typed).
            found.setdefault(QueryTerm(token, True), None)
    return tuple(found)[:MAX_QUERY_TERMS]
