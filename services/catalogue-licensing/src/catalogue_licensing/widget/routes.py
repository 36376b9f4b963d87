"""HTTP routes of the widget: its script, and the plain catalogue page it links to."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam

from catalogue_licensing.catalogue import labels
from catalogue_licensing.catalogue import service as catalogue
from catalogue_licensing.catalogue.fast_path import CACHE_CONTROL, VARY, today_in
from catalogue_licensing.catalogue.language import negotiate
from catalogue_licensing.directory.isil import ISIL_PATTERN
from catalogue_licensing.products.schemas import Audience, Category
from catalogue_licensing.resources import ResourcesDep
from catalogue_licensing.widget import service
from chassis.concurrency import conditional_content
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["catalogue"])

# The page's form sends "" for "all": accepted as no filter.
PageCategory = Annotated[
    Category | Literal[""] | None, Query(description="Only products of this category; empty: all")
]
PageAudience = Annotated[
    Audience | Literal[""] | None, Query(description="Only products for this audience; empty: all")
]

# A library's page holds the script for an hour without asking, then revalidates (a 304 of a
# few hundred bytes); a new release reaches every site within the hour.
SCRIPT_CACHE_CONTROL = "public, max-age=3600"


def _headers(cache_control: str) -> dict[str, Any]:
    return {
        "ETag": {"schema": {"type": "string"}, "description": "Strong ETag of this answer"},
        "Cache-Control": {"schema": {"type": "string"}, "description": cache_control},
    }


@router.get(
    "/v1/catalogue/widget.js",
    summary="The catalogue widget: a script for library websites",
    description="A JavaScript module that defines `<library-catalogue isil=… lang=…>`: the "
    "library's catalogue with its four answers, filters by category and audience, labels in "
    "nb, nn, en or nl. It reads only this platform. Public and cacheable: ETag, "
    "Cache-Control, 304 on If-None-Match.",
    response_class=Response,
    responses={
        200: {
            "content": {"text/javascript": {"schema": {"type": "string"}}},
            "description": "The script",
            "headers": _headers(SCRIPT_CACHE_CONTROL),
        },
        304: {"description": "Not Modified", "headers": _headers(SCRIPT_CACHE_CONTROL)},
        **problem_responses(422),
    },
)
async def get_catalogue_widget(
    request: Request,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    script = service.script()
    return conditional_content(
        request,
        script.body,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": SCRIPT_CACHE_CONTROL},
        etag=script.etag,
        gzipped=script.gzipped,
    )


@router.get(
    "/v1/libraries/{isil}/catalogue.html",
    summary="A library's catalogue as a plain web page (the widget's fallback)",
    description="The same products and answers as the widget, server-rendered for pages and "
    "readers without JavaScript; filters by category and audience in a plain form. Language "
    "from `lang`, else Accept-Language. Public and cacheable: ETag, Cache-Control, 304.",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "The page",
            "headers": _headers(CACHE_CONTROL),
        },
        304: {"description": "Not Modified", "headers": _headers(CACHE_CONTROL)},
        **problem_responses(404, 422),
    },
)
async def read_library_catalogue_page(
    request: Request,
    session: SessionDep,
    resources: ResourcesDep,
    isil: Annotated[str, PathParam(pattern=ISIL_PATTERN, max_length=16)],
    category: PageCategory = None,
    audience: PageAudience = None,
    lang: Annotated[
        labels.LabelLanguage | None,
        Query(description="The page's language; without it, chosen from Accept-Language"),
    ] = None,
    accept_language: Annotated[str | None, Header(max_length=512)] = None,
) -> Response:
    chosen = negotiate(lang or accept_language, labels.LANGUAGES)
    language = next(code for code in labels.LANGUAGES if code == chosen)
    # The products' texts exist in nb, nn and en: a Dutch page shows them in English.
    texts = negotiate(language)
    library = await catalogue.library_by_isil(session, isil)
    offered = await catalogue.products_for_library(
        session, library=library, today=today_in(resources.zone)
    )
    items = catalogue.render_items(offered, language=texts, filters=catalogue.Filters())
    html = service.render_page(
        library={"isil": library.isil, "name": library.name},
        items=list(items),
        language=language,
        category=category or None,
        audience=audience or None,
    ).encode()
    return conditional_content(
        request,
        html,
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": CACHE_CONTROL, "Vary": VARY, "Content-Language": language},
        compress=True,
    )
