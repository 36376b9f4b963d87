"""The words every domain shares: levels, formats, languages, slugs and tags, as API types."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

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
