"""Reading the other services over HTTP (httpx, the kit's outbound client): a page of an events
feed (the catalogue's, training's, helpdesk's) and, for the catalogue, the directory's entries
those events name, fetched before the run's transaction opens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from kpi.settings import HarvestSettings

DIRECTORY_EVENTS = frozenset(
    {
        "library.created",
        "library.updated",
        "county.population_set",
        "municipality.population_set",
    }
)


class FeedEvent(BaseModel):
    """An event as the feed serves it (its `data` checked by the type's own model when applied)."""

    model_config = ConfigDict(extra="ignore")

    seq: int
    id: uuid.UUID
    type: str
    subject: str
    occurred_at: datetime | None = None
    data: dict[str, Any]


class FeedPage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[FeedEvent]
    next_after: int
    has_more: bool


# An area of the directory: (country, number); numbers repeat across countries.
Area = tuple[str, str]


def area_of(data: dict[str, Any]) -> Area:
    """The area a population event names (events before the directory held other countries
    carry no country: Norway's)."""
    return str(data.get("country", "NO")), str(data["number"])


@dataclass
class Directory:
    """The directory's entries the page's events name, as the catalogue answers them now."""

    counties: dict[Area, dict[str, Any]] = field(default_factory=dict)
    municipalities: dict[Area, dict[str, Any]] = field(default_factory=dict)
    libraries: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Fetched:
    """What a run applies: the page read after `after`, and the directory it names."""

    after: int
    page: FeedPage
    directory: Directory
    feed: str = "catalogue"


class FeedUnavailable(Exception):
    """The service did not answer as its contract says; the run fails and is retried."""


def feed_url(settings: HarvestSettings, feed: str) -> str | None:
    """The base URL of a feed's service (its feed at <url>/v1/events), or None: not harvested."""
    urls = {
        "catalogue": settings.catalogue_url,
        "training": settings.training_url,
        "helpdesk": settings.helpdesk_url,
    }
    return urls[feed]


async def _token(http: httpx.AsyncClient, settings: HarvestSettings) -> str | None:
    if settings.token is not None:
        return settings.token.get_secret_value()
    if settings.client_id is None or settings.client_secret is None or settings.token_url is None:
        return None
    answer = await http.post(
        settings.token_url,
        data={"grant_type": "client_credentials"},
        auth=(settings.client_id, settings.client_secret.get_secret_value()),
    )
    if answer.status_code != 200:
        raise FeedUnavailable(f"the token endpoint answered {answer.status_code}")
    token = answer.json().get("access_token")
    if not isinstance(token, str):
        raise FeedUnavailable("the token endpoint answered no access_token")
    return token


async def _get(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    try:
        return await http.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise FeedUnavailable(f"{url}: {type(exc).__name__}") from exc


async def _entry(
    http: httpx.AsyncClient, base: str, path: str, headers: dict[str, str]
) -> dict[str, Any] | None:
    answer = await _get(http, f"{base}{path}", headers)
    if answer.status_code == 404:
        return None
    if answer.status_code != 200:
        raise FeedUnavailable(f"{path}: {answer.status_code}")
    body: dict[str, Any] = answer.json()
    return body


async def fetch(
    http: httpx.AsyncClient, settings: HarvestSettings, *, after: int, feed: str = "catalogue"
) -> Fetched:
    """The page after `after` and (the catalogue's) the directory entries it needs (each
    fetched once)."""
    url = feed_url(settings, feed)
    assert url is not None
    base = url.rstrip("/")
    token = await _token(http, settings)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = await _get(http, f"{base}/v1/events?after={after}&limit={settings.page_size}", headers)
    if answer.status_code != 200:
        raise FeedUnavailable(f"the events feed answered {answer.status_code}")
    page = FeedPage.model_validate_json(answer.content)
    directory = Directory()
    for event in page.items:
        if feed != "catalogue" or event.type not in DIRECTORY_EVENTS:
            continue
        if event.type.startswith("library."):
            isil = str(event.data.get("isil", ""))
            if isil and isil not in directory.libraries:
                found = await _entry(http, base, f"/v1/libraries/{isil}", headers)
                if found is not None:
                    directory.libraries[isil] = found
                    area = (str(found["country"]), str(found["municipality"]))
                    await _area(http, base, headers, directory, area)
        elif event.type == "municipality.population_set":
            await _area(http, base, headers, directory, area_of(event.data))
        elif event.type == "county.population_set":
            await _county(http, base, headers, directory, area_of(event.data))
    return Fetched(after=after, page=page, directory=directory, feed=feed)


async def _county(
    http: httpx.AsyncClient, base: str, headers: dict[str, str], directory: Directory, area: Area
) -> None:
    if area not in directory.counties:
        country, number = area
        found = await _entry(http, base, f"/v1/counties/{number}?country={country}", headers)
        if found is not None:
            directory.counties[area] = found


async def _area(
    http: httpx.AsyncClient, base: str, headers: dict[str, str], directory: Directory, area: Area
) -> None:
    """A municipality and its county."""
    if area not in directory.municipalities:
        country, number = area
        found = await _entry(http, base, f"/v1/municipalities/{number}?country={country}", headers)
        if found is None:
            return
        directory.municipalities[area] = found
    county = (area[0], str(directory.municipalities[area]["county"]))
    await _county(http, base, headers, directory, county)
