"""Request and response bodies of topics, courses, modules and lessons."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from training.vocabulary import (
    MAX_TAGS,
    Format,
    HttpUrl,
    Language,
    Level,
    PublicationStatus,
    Slug,
    Tag,
)

MAX_MARKDOWN = 100_000
MAX_LINKS = 50


class TopicIn(InputModel):
    slug: Slug
    name: str = Field(min_length=1, max_length=200, examples=["Wise, the library system"])
    description: str = Field(default="", max_length=5000)


class TopicPatch(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class TopicOut(OutputModel):
    id: uuid.UUID
    slug: str
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime


class CourseIn(InputModel):
    slug: Slug
    topic_id: uuid.UUID
    title: str = Field(min_length=1, max_length=300)
    lang: Language = Field(description="The language of the title and summary")
    summary: str = Field(default="", max_length=MAX_MARKDOWN, description="Markdown")
    level: Level
    format: Format
    languages: list[Language] = Field(min_length=1, max_length=4)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    product_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Catalogue products the course teaches"
    )
    status: PublicationStatus = "draft"
    listed: bool = Field(
        default=True,
        description="False: a collection of standalone lessons, found in search by its lessons only",
    )


class CoursePatch(PatchModel):
    """Fields to change; `status` publishes or withdraws the course."""

    topic_id: uuid.UUID | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    lang: Language | None = None
    summary: str | None = Field(default=None, max_length=MAX_MARKDOWN)
    level: Level | None = None
    format: Format | None = None
    languages: list[Language] | None = Field(default=None, min_length=1, max_length=4)
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    product_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    status: PublicationStatus | None = None
    listed: bool | None = None


class CourseOut(OutputModel):
    id: uuid.UUID
    slug: str
    topic_id: uuid.UUID
    title: str
    lang: str
    summary: str
    level: str
    format: str
    languages: list[str]
    tags: list[str]
    product_ids: list[uuid.UUID]
    status: str
    listed: bool
    published_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class CourseQuery(PageQuery):
    topic: Slug | None = Field(None, description="The topic's slug")
    level: Level | None = None
    format: Format | None = None
    lang: Language | None = Field(None, description="Courses offered in this language")
    tag: Tag | None = None
    slug: Slug | None = None
    status: PublicationStatus | None = Field(None, description="Trainers only: drafts too")


class ModuleIn(InputModel):
    title: str = Field(min_length=1, max_length=300)
    position: int | None = Field(
        default=None, ge=1, le=1000, description="Place in the course; after the last by default"
    )


class ModulePatch(PatchModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    position: int | None = Field(default=None, ge=1, le=1000)


class ModuleOut(OutputModel):
    id: uuid.UUID
    course_id: uuid.UUID
    position: int
    title: str
    version: int
    created_at: datetime
    updated_at: datetime


class LinkIn(InputModel):
    title: str = Field(min_length=1, max_length=300)
    url: HttpUrl


class FileIn(LinkIn):
    media_type: str = Field(
        default="application/octet-stream",
        max_length=100,
        pattern=r"^[a-z]+/[a-z0-9.+-]+$",
        examples=["application/pdf"],
    )


class LinkOut(OutputModel):
    title: str
    url: str


class FileOut(LinkOut):
    media_type: str


class LessonIn(InputModel):
    slug: Slug
    module_id: uuid.UUID
    title: str = Field(min_length=1, max_length=300)
    lang: Language
    body: str = Field(default="", max_length=MAX_MARKDOWN, description="Markdown")
    links: list[LinkIn] = Field(default_factory=list, max_length=MAX_LINKS)
    files: list[FileIn] = Field(
        default_factory=list, max_length=MAX_LINKS, description="Files by URL"
    )
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    position: int | None = Field(default=None, ge=1, le=1000)
    status: PublicationStatus = "draft"


class LessonPatch(PatchModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    lang: Language | None = None
    body: str | None = Field(default=None, max_length=MAX_MARKDOWN)
    links: list[LinkIn] | None = Field(default=None, max_length=MAX_LINKS)
    files: list[FileIn] | None = Field(default=None, max_length=MAX_LINKS)
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    position: int | None = Field(default=None, ge=1, le=1000)
    status: PublicationStatus | None = None


class LessonOut(OutputModel):
    id: uuid.UUID
    slug: str
    module_id: uuid.UUID
    course_id: uuid.UUID
    position: int
    title: str
    lang: str
    body: str
    links: list[LinkOut]
    files: list[FileOut]
    tags: list[str]
    status: str
    published_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class LessonQuery(PageQuery):
    course_id: uuid.UUID | None = None
    module_id: uuid.UUID | None = None
    lang: Language | None = None
    slug: Slug | None = None
    status: PublicationStatus | None = Field(None, description="Trainers only: drafts too")
