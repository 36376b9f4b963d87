"""HTTP routes of the organisation directory: counties, municipalities, libraries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from catalogue_licensing.deps import IdempotencyDep
from catalogue_licensing.directory import libraries, populations, service, views
from catalogue_licensing.directory.deps import (
    CountyDep,
    LibraryDep,
    ManagedLibraryDep,
    MunicipalityDep,
)
from catalogue_licensing.directory.models import County, Municipality
from catalogue_licensing.directory.schemas import (
    CountryOut,
    CountyOut,
    CountyQuery,
    LibraryIn,
    LibraryOut,
    LibraryPatch,
    LibraryQuery,
    MunicipalityOut,
    MunicipalityQuery,
    PopulationIn,
)
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatch,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, cut_page, decode_cursor, page_json
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep, TransactionDep, transaction

router = APIRouter(tags=["directory"])

# Directory data changes a few times a year; a minute of caching costs nothing, and the ETag
# makes revalidation after that cheap.
PUBLIC_CACHE = "public, max-age=60"

YearPath = Annotated[int, PathParam(ge=1900, le=2200, description="Population on 1 January of")]


def _pair(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    country, number = decode_cursor(cursor, arity=2)
    return str(country), str(number)


def _area_key(area: County | Municipality) -> list[Any]:
    return [area.country_code, area.number]


async def _set_population(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    area: County | Municipality,
    if_match: IfMatch,
    *,
    year: int,
    population: int,
) -> JSONResponse:
    """The one way a county's and a municipality's population is set: If-Match, then the rule."""
    if_match.require(area)
    await populations.set_population(
        session,
        principal=principal,
        area=area,
        year=year,
        population=population,
        request_id=request_id_of(request),
    )
    return tagged_json(views.area_view(area), area)


@router.get(
    "/v1/countries",
    summary="List the countries of the directory",
    description="The top level of the directory: Norway (counties), Belgium (Flanders' "
    "provinces, NIS codes) and the Netherlands (provinces, CBS codes).",
    response_model=list[CountryOut],
    responses=problem_responses(400),
)
async def list_countries(session: SessionDep) -> JSONResponse:
    countries = await service.list_countries(session)
    return JSONResponse(
        [views.country_view(c).model_dump(mode="json") for c in countries],
        headers={"Cache-Control": PUBLIC_CACHE},
    )


@router.get(
    "/v1/countries/{code}",
    summary="Read a country of the directory",
    response_model=CountryOut,
    responses=problem_responses(400, 404, 422),
)
async def get_country(
    code: Annotated[str, PathParam(pattern=r"^[A-Z]{2}$", examples=["BE"])], session: SessionDep
) -> JSONResponse:
    country = await service.get_country(session, code=code)
    return JSONResponse(
        views.country_view(country).model_dump(mode="json"),
        headers={"Cache-Control": PUBLIC_CACHE},
    )


@router.get(
    "/v1/counties",
    summary="List counties with their populations",
    response_model=Page[CountyOut],
    responses=problem_responses(400, 404, 422),
)
async def list_counties(request: Request, page: Annotated[CountyQuery, Query()]) -> Response:
    async with transaction(request) as tx:
        await service.require_country(tx, page.country)
        rows = await service.county_page(
            tx, country=page.country, after=_pair(page.cursor), limit=page.limit + 1
        )
    return page_json(
        request, rows, page=page, key=lambda c: [c["country"], c["number"]], item=CountyOut
    )


@router.get(
    "/v1/counties/{number}",
    summary="Read a county with its population per year",
    response_model=CountyOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_county(county: CountyDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, views.county_view(county), county, cache_control=PUBLIC_CACHE
    )


@router.put(
    "/v1/counties/{number}/populations/{year}",
    summary="Set a county's population of one year",
    description="Needs `If-Match` with the county's ETag. The cost shares of the per-inhabitant "
    "agreements whose population basis this moves are recomputed in the same transaction (409 "
    "when the cost could then not be split).",
    response_model=CountyOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def set_county_population(
    request: Request,
    county: CountyDep,
    year: YearPath,
    body: PopulationIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    return await _set_population(
        request, session, principal, county, if_match, year=year, population=body.population
    )


@router.get(
    "/v1/municipalities",
    summary="List municipalities, optionally of one county",
    response_model=Page[MunicipalityOut],
    responses=problem_responses(400, 404, 422),
)
async def list_municipalities(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[MunicipalityQuery, Query()],
) -> Page[MunicipalityOut]:
    await service.require_country(session, page.country)
    service.require_code(page.country, "county", page.county, location="query.county")
    rows = await service.list_municipalities(
        session,
        country=page.country,
        county=page.county,
        after=_pair(page.cursor),
        limit=page.limit + 1,
    )
    municipalities, next_cursor = cut_page(request, response, rows, page=page, key=_area_key)
    return Page[MunicipalityOut](
        items=[views.municipality_view(m) for m in municipalities], next_cursor=next_cursor
    )


@router.get(
    "/v1/municipalities/{number}",
    summary="Read a municipality with its population per year",
    response_model=MunicipalityOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_municipality(
    municipality: MunicipalityDep, if_none_match: IfNoneMatchDep
) -> Response:
    return conditional_json(
        if_none_match,
        views.municipality_view(municipality),
        municipality,
        cache_control=PUBLIC_CACHE,
    )


@router.put(
    "/v1/municipalities/{number}/populations/{year}",
    summary="Set a municipality's population of one year",
    response_model=MunicipalityOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def set_municipality_population(
    request: Request,
    municipality: MunicipalityDep,
    year: YearPath,
    body: PopulationIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    return await _set_population(
        request, session, principal, municipality, if_match, year=year, population=body.population
    )


@router.get(
    "/v1/libraries",
    summary="List libraries, by county, municipality or kind",
    response_model=Page[LibraryOut],
    responses=problem_responses(400, 404, 422),
)
async def list_libraries(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[LibraryQuery, Query()],
) -> Page[LibraryOut]:
    await service.require_country(session, page.country)
    service.require_code(page.country, "county", page.county, location="query.county")
    service.require_code(
        page.country, "municipality", page.municipality, location="query.municipality"
    )
    after = None
    if page.cursor is not None:
        (after,) = decode_cursor(page.cursor, arity=1)
    rows = await service.list_libraries(
        session,
        country=page.country,
        county=page.county,
        municipality=page.municipality,
        kind=page.kind,
        after_isil=str(after) if after is not None else None,
        limit=page.limit + 1,
    )
    libraries, next_cursor = cut_page(request, response, rows, page=page, key=lambda x: [x.isil])
    return Page[LibraryOut](
        items=[views.library_view(x) for x in libraries], next_cursor=next_cursor
    )


@router.get(
    "/v1/libraries/{isil}",
    summary="Read a library",
    response_model=LibraryOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_library(library: LibraryDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, views.library_view(library), library, cache_control=PUBLIC_CACHE
    )


@router.post(
    "/v1/libraries",
    status_code=201,
    summary="Register a library",
    response_model=LibraryOut,
    responses=problem_responses(400, 403, 409, 422),
)
async def create_library(
    request: Request,
    body: LibraryIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    library = await libraries.create_library(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        views.library_view(library),
        library,
        status_code=201,
        headers={"Location": f"/v1/libraries/{library.isil}"},
    )
    return await idem.remember(response)


@router.patch(
    "/v1/libraries/{isil}",
    summary="Change a library's name, kind or municipality",
    description="Needs `If-Match` with the library's ETag. A library that takes part in an "
    "agreement through its county cannot move to a municipality of another county: 409 naming "
    "the agreements; its county removes it from those participations first.",
    response_model=LibraryOut,
    responses=problem_responses(403, 404, 409, 412, 422, 428),
)
async def update_library(
    request: Request,
    library: ManagedLibraryDep,
    body: LibraryPatch,
    tx: TransactionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(library)
    library = await libraries.update_library(
        tx,
        principal=principal,
        library=library,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(library.view(), library)
