"""HTTP routes of the public catalogue: a library's products and the listing of all active ones."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Hashable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.catalogue import labels, service
from catalogue_licensing.catalogue.cache import Resolved
from catalogue_licensing.catalogue.deps import FiltersDep
from catalogue_licensing.catalogue.fast_path import (
    CACHE_CONTROL,
    VARY,
    representation,
    today_in,
)
from catalogue_licensing.catalogue.language import negotiate
from catalogue_licensing.catalogue.schemas import (
    CatalogueLabels,
    LibraryCatalogue,
    ProductListing,
)
from catalogue_licensing.directory.isil import ISIL_PATTERN
from catalogue_licensing.resources import CatalogueResources, ResourcesDep
from chassis.caching import CachedAnswer
from chassis.concurrency import conditional_content, matches_if_none_match
from chassis.problems import problem_responses
from chassis.runtime import get_runtime

router = APIRouter(tags=["catalogue"])


_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "Not Modified: the answer is unchanged since the ETag in If-None-Match",
        "headers": {
            "ETag": {"schema": {"type": "string"}, "description": "The answer's strong ETag"},
            "Cache-Control": {"schema": {"type": "string"}, "description": CACHE_CONTROL},
        },
    }
}
_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Strong ETag of this answer"},
    "Cache-Control": {"schema": {"type": "string"}, "description": CACHE_CONTROL},
    "Content-Language": {"schema": {"type": "string"}, "description": "nb, nn or en"},
    "Vary": {"schema": {"type": "string"}, "description": VARY},
}

IsilPath = Annotated[
    str,
    PathParam(
        description="The library's ISIL (ISO 15511)",
        pattern=ISIL_PATTERN,
        max_length=16,
        examples=["NO-2030000"],
    ),
]
AcceptLanguage = Annotated[
    str | None,
    Header(
        max_length=512,
        description="Preferred languages (RFC 9110): nb, nn or en are answered; "
        "others get en, none gets nb",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(max_length=2000, description="ETag of an earlier answer: 304 when unchanged"),
]


def _answer(body: dict[str, Any], generation: int) -> CachedAnswer:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    # A hash of the bytes: the same answer has the same ETag on every replica and after restarts.
    return CachedAnswer.of(generation, raw)


async def _serve(
    request: Request,
    resources: CatalogueResources,
    *,
    key: Hashable,
    language: str,
    today: date,
    compute: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> Response:
    """Answer from the cache when it holds this key at the current generation, else compute."""
    cache = resources.cache
    answer = None
    generation = cache.trusted_generation()
    if generation is not None:
        answer = cache.get(key, generation)
    if answer is None:
        async with get_runtime(request).db.reader() as session, session.begin():
            # The generation is read before the data: an answer may be newer than the generation
            # it is filed under (then it is recomputed once more), never older.
            generation = await cache.generation(session)
            answer = cache.get(key, generation)
            if answer is None:
                answer = _answer(await compute(session), generation)
                cache.put(key, answer)
    # What this request resolved to, so the fast path can answer the same request next time.
    resources.signatures.put(
        (
            request.scope["path"],
            request.scope["query_string"],
            next((v for k, v in request.scope["headers"] if k == b"accept-language"), None),
            today,
        ),
        Resolved(key=key, language=language),
    )
    chosen = representation(answer, language, request.headers.get("accept-encoding"))
    if matches_if_none_match(request, chosen.headers["ETag"]):
        return Response(status_code=304, headers=chosen.headers)
    return Response(content=chosen.body, headers={**chosen.headers, **chosen.body_headers})


@router.get(
    "/v1/libraries/{isil}/catalogue",
    summary="What this library offers its patrons, and how to use it",
    description="The active products that reach the library through its county's participation "
    "in a current agreement, with the four answers (access, home use, sharing, contact) in the "
    "reader's language. Public and cacheable: ETag, Cache-Control, 304 on If-None-Match.",
    response_model=LibraryCatalogue,
    responses={
        200: {"headers": _HEADERS},
        **_NOT_MODIFIED,
        **problem_responses(404),
    },
)
async def read_library_catalogue(
    request: Request,
    resources: ResourcesDep,
    isil: IsilPath,
    filters: FiltersDep,
    accept_language: AcceptLanguage = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    language = negotiate(accept_language)
    today = today_in(resources.zone)

    async def compute(session: AsyncSession) -> dict[str, Any]:
        library = await service.library_by_isil(session, isil)
        offered = await service.products_for_library(session, library=library, today=today)
        return {
            "library": {"isil": library.isil, "name": library.name},
            "language": language,
            "items": service.render_items(offered, language=language, filters=filters),
        }

    # The day is part of the key: agreements start and end at midnight without any event.
    return await _serve(
        request,
        resources,
        key=("library", isil, today, language, filters),
        language=language,
        today=today,
        compute=compute,
    )


@router.get(
    "/v1/catalogue/products",
    summary="Every active product, with its four answers",
    description="The whole list in one answer, not paged: the programme has a few hundred "
    "products at most, and one document is one ETag that library websites can revalidate "
    "cheaply.",
    response_model=ProductListing,
    responses={200: {"headers": _HEADERS}, **_NOT_MODIFIED},
)
async def list_catalogue_products(
    request: Request,
    resources: ResourcesDep,
    filters: FiltersDep,
    accept_language: AcceptLanguage = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    language = negotiate(accept_language)

    async def compute(session: AsyncSession) -> dict[str, Any]:
        offered = await service.active_products(session)
        return {
            "language": language,
            "items": service.render_items(offered, language=language, filters=filters),
        }

    return await _serve(
        request,
        resources,
        key=("products", language, filters),
        language=language,
        today=today_in(resources.zone),
        compute=compute,
    )


# The labels change only with a release: an hour without asking, then a 304.
LABELS_CACHE_CONTROL = "public, max-age=3600"
LangQuery = Annotated[
    labels.LabelLanguage | None,
    Query(description="The labels' language; without it, chosen from Accept-Language"),
]


@router.get(
    "/v1/catalogue/labels",
    summary="Labels of the catalogue's codes in nb, nn, en or nl",
    description="What a website shows for each code a product carries (category, audiences, "
    "access methods, content languages), so it need not keep its own tables. The language is "
    "`lang`, else the best of Accept-Language (none: nb; only others: en). Public and "
    "cacheable: ETag, Cache-Control, 304 on If-None-Match.",
    response_model=CatalogueLabels,
    responses={
        200: {
            "headers": {
                **_HEADERS,
                "Cache-Control": {
                    "schema": {"type": "string"},
                    "description": LABELS_CACHE_CONTROL,
                },
            }
        },
        **_NOT_MODIFIED,
        **problem_responses(422),
    },
)
async def read_catalogue_labels(
    request: Request,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    language: labels.LabelLanguage = lang or _label_language(accept_language)
    raw, etag = labels.answer(language)
    headers = {
        "Cache-Control": LABELS_CACHE_CONTROL,
        "Content-Language": language,
        # Only when the header chose the language does the answer vary with it.
        **({} if lang else {"Vary": VARY}),
    }
    return conditional_content(
        request, raw, media_type="application/json", headers=headers, etag=etag, compress=True
    )


def _label_language(accept_language: str | None) -> labels.LabelLanguage:
    chosen = negotiate(accept_language, labels.LANGUAGES)
    return next(lang for lang in labels.LANGUAGES if lang == chosen)
