"""The public data portal's pages: home, and a page per country, county, municipality and
library that has published figures; its stylesheet and htmx, served here (no third party).

The pages are HTML for people, not part of the API contract (include_in_schema=False). The
language is the `lang` query's (which a cookie then keeps), else the cookie's, else
Accept-Language's. A rendered page is kept per generation of kpi's data (kpi.portal.service), so
a warm page is a dictionary lookup; ETag and Cache-Control let a CDN keep it too."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Cookie, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from chassis.caching import CachedAnswer, PreparedBody
from chassis.concurrency import conditional_content, content_etag
from chassis.languages import negotiate
from chassis.problems import NotFound
from chassis.runtime import resources_of
from chassis.sessions import SessionDep
from kpi.portal import views
from kpi.portal.service import Portal, PortalData
from kpi.resources import KpiResources

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "portal_lang"
COOKIE_SECONDS = 365 * 24 * 3600
# A CDN may keep a page five minutes; the figures change at most a few times a day.
PAGE_CACHE = "public, max-age=300"
# A page that sets the language cookie is the reader's own.
CHOSEN_CACHE = "private, no-store"
# The assets' URLs carry their digest (?v=), so a cache may keep them for a year.
ASSET_CACHE = "public, max-age=31536000, immutable"
VARY = "Accept-Language, Cookie"
SECURITY = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# A pattern, not a Literal (see kpi.charts.routes.DatasetChartQuery.lang).
Language = Annotated[str, Field(pattern=r"^(nb|nn|en|nl)$")]
CountryCode = Annotated[str, PathParam(pattern=r"^[A-Z]{2}$")]
Level = Literal["county", "municipality", "library"]
Code = Annotated[str, PathParam(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9-]+$")]
LangQuery = Annotated[
    Language | None, Query(description="The page's language; a cookie keeps the choice")
]
AcceptLanguage = Annotated[str | None, Header(max_length=512)]
LangCookie = Annotated[str | None, Cookie(alias=COOKIE, max_length=8)]


class PageQuery(BaseModel):
    """A place page's choices: its language, and the filters of its figures (empty: all)."""

    lang: Language | None = Field(None, description="The page's language; a cookie keeps it")
    dataset: uuid.UUID | Literal[""] | None = None
    indicator: str | None = Field(None, max_length=64, pattern=r"^[a-z0-9_]*$")


PageQueryDep = Annotated[PageQuery, Query()]


@dataclass(frozen=True)
class Asset:
    media_type: str
    prepared: PreparedBody


@cache
def _asset(name: str) -> Asset | None:
    media = {"htmx.min.js": "text/javascript; charset=utf-8", "portal.css": "text/css"}
    if name not in media:
        return None
    return Asset(media[name], PreparedBody.of((STATIC / name).read_bytes()))


@cache
def asset_version() -> str:
    """One short digest of the assets, in their URLs: a new file is a new URL."""
    assets = [a for a in (_asset("htmx.min.js"), _asset("portal.css")) if a is not None]
    return content_etag(b"".join(a.prepared.body for a in assets)).strip('"')[:12]


def _portal(request: Request) -> Portal:
    return resources_of(request.app, KpiResources).portal


def _language(chosen: str | None, cookie: str | None, accept_language: str | None) -> str:
    if chosen is not None:
        return chosen
    if cookie in views.LANGUAGES:
        return cookie
    return negotiate(accept_language, views.LANGUAGES, default="nb", foreign="en")


def _public_url(portal: Portal, request: Request) -> str:
    return portal.public_url or str(request.base_url).rstrip("/")


async def _page(
    request: Request,
    session: SessionDep,
    *,
    key: tuple[object, ...],
    lang: str | None,
    language: str,
    render: views.Renderer,
) -> Response:
    portal = _portal(request)
    public_url = _public_url(portal, request)
    full_key = (*key, language, public_url)
    generation = await portal.pages.generation(session)
    answer = portal.pages.get(full_key, generation)
    if answer is None:
        data = await portal.state.data(session, generation)
        rendered = render(data, language, public_url, asset_version())
        if rendered is None:
            return _not_found(request, language)
        answer = CachedAnswer.of(generation, rendered.encode())
        portal.pages.put(full_key, answer)
    headers = {
        **SECURITY,
        "Cache-Control": PAGE_CACHE if lang is None else CHOSEN_CACHE,
        "Vary": VARY,
        "Content-Language": language,
    }
    response = conditional_content(
        request,
        answer.body,
        media_type="text/html; charset=utf-8",
        headers=headers,
        etag=answer.etag,
        gzipped=answer.gzipped,
    )
    if lang is not None:
        response.set_cookie(
            COOKIE, lang, max_age=COOKIE_SECONDS, path="/", samesite="lax", httponly=True
        )
    return response


def _not_found(request: Request, language: str) -> Response:
    body = views.not_found_page(
        language, path=request.url.path, asset_version=asset_version()
    ).encode()
    headers = {**SECURITY, "Cache-Control": "public, max-age=60", "Vary": VARY}
    return Response(body, status_code=404, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/portal", response_class=Response)
async def portal_root() -> Response:
    return RedirectResponse("/portal/", status_code=308)


@router.get("/portal/", response_class=Response)
async def home(
    request: Request,
    session: SessionDep,
    lang: LangQuery = None,
    portal_lang: LangCookie = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    language = _language(lang, portal_lang, accept_language)
    return await _page(
        request,
        session,
        key=("home",),
        lang=lang,
        language=language,
        render=lambda data, language, public_url, version: views.home_page(
            data, language, public_url=public_url, asset_version=version
        ),
    )


async def _place_page(
    request: Request,
    session: SessionDep,
    *,
    where: tuple[str, str, str],
    query: PageQuery,
    language: str,
) -> Response:
    chosen = views.Chosen(dataset=query.dataset or None, indicator=query.indicator or None)

    def render(data: PortalData, language: str, public_url: str, version: str) -> str | None:
        place = data.find(*where)
        if place is None:
            return None
        return views.place_page(
            data, place, language, chosen=chosen, public_url=public_url, asset_version=version
        )

    return await _page(
        request,
        session,
        key=("place", *where, chosen),
        lang=query.lang,
        language=language,
        render=render,
    )


@router.get("/portal/{country}", response_class=Response)
async def country_page(
    request: Request,
    session: SessionDep,
    country: CountryCode,
    query: PageQueryDep,
    portal_lang: LangCookie = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    language = _language(query.lang, portal_lang, accept_language)
    return await _place_page(
        request, session, where=(country, "country", country), query=query, language=language
    )


@router.get("/portal/{country}/{level}/{code}", response_class=Response)
async def place_page(
    request: Request,
    session: SessionDep,
    country: CountryCode,
    level: Level,
    code: Code,
    query: PageQueryDep,
    portal_lang: LangCookie = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    language = _language(query.lang, portal_lang, accept_language)
    return await _place_page(
        request, session, where=(country, level, code), query=query, language=language
    )


@router.get("/portal/static/{name}", response_class=Response)
async def static_asset(
    request: Request,
    name: Annotated[str, PathParam(max_length=40, pattern=r"^[a-z0-9.-]+$")],
    v: Annotated[
        str | None, Query(max_length=32, description="The assets' digest, for caches")
    ] = None,
) -> Response:
    asset = _asset(name)
    if asset is None:
        raise NotFound(f"No file {name} in the portal's static files")
    return conditional_content(
        request,
        asset.prepared.body,
        media_type=asset.media_type,
        headers={"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"},
        etag=asset.prepared.etag,
        gzipped=asset.prepared.gzipped,
    )
