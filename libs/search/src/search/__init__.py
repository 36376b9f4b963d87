"""The platform's search mechanism: see the package's README and docs/decisions/0025-0027."""

from search.index import MAX_QUERY_LENGTH, SearchIndex
from search.model import LANGUAGES, SearchDocument, SearchHit, SearchQuery
from search.ranking import Weights
from search.tables import search_tables

__all__ = [
    "LANGUAGES",
    "MAX_QUERY_LENGTH",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "SearchQuery",
    "Weights",
    "search_tables",
]
