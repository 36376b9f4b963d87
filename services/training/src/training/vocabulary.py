"""The words every domain shares: levels, formats, languages, slugs and tags, as API types."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

Level = Literal["starter", "intermediate", "in-depth"]
Format = Literal["self-paced", "webinar", "classroom", "hybrid"]
# The languages the platform teaches in (and its search analyses): Dutch, Norwegian Bokmål and
# Nynorsk, English.
Language = Literal["nl", "nb", "nn", "en"]
PublicationStatus = Literal["draft", "published"]

Slug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$",
        description="External id partners use: lower-case letters, digits and inner hyphens",
        examples=["wise-starter", "nl-004"],
    ),
]
Tag = Annotated[str, Field(min_length=1, max_length=60)]
MAX_TAGS = 20
HttpUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2000,
        pattern=r"^https?://[^\s/$.?#][^\s]*$",
        examples=["https://example.org/handout.pdf"],
    ),
]


def _iso_day(value: object) -> object:
    # Pydantic would also take a number as a Unix time: a day is written YYYY-MM-DD only.
    if isinstance(value, date) or (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        return value
    raise ValueError("a day is written YYYY-MM-DD")


def _iso_time(value: object) -> object:
    if isinstance(value, datetime) or (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", value)
    ):
        return value
    raise ValueError("a time is written YYYY-MM-DDTHH:MM, with an optional offset")


IsoDay = Annotated[date, BeforeValidator(_iso_day)]
IsoTime = Annotated[datetime, BeforeValidator(_iso_time)]
