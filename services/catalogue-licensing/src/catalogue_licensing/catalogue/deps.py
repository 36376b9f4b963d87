"""The catalogue's query dependencies: its filters (and the ignored cache buster) parsed into one
`Filters`, so both catalogue routes take them as a single parameter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from catalogue_licensing.catalogue.service import Filters
from catalogue_licensing.products.schemas import Audience, Category

CategoryQuery = Annotated[Category | None, Query(description="Only products of this category")]
AudienceQuery = Annotated[Audience | None, Query(description="Only products for this audience")]
HomeUseQuery = Annotated[
    bool | None, Query(description="true: only products usable from home; false: only the others")
]
# jQuery's cache buster (`?_=1700000000000`): accepted and ignored, see decision 0006.
CacheBusterQuery = Annotated[
    str | None,
    Query(
        alias="_",
        max_length=40,
        description="Ignored; allowed because browser libraries add it to defeat caches",
    ),
]


async def catalogue_filters(
    category: CategoryQuery = None,
    audience: AudienceQuery = None,
    home_use: HomeUseQuery = None,
    cache_buster: CacheBusterQuery = None,
) -> Filters:
    """The query's filters, in the order the contract lists them; the cache buster is declared
    (so it is not refused as unknown) and dropped: it must not split the cache key."""
    return Filters(category=category, audience=audience, home_use=home_use)


FiltersDep = Annotated[Filters, Depends(catalogue_filters)]
