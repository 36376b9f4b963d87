"""Content's extension point: what other domains do, in the change's transaction, after a course
was put in or taken out of search (their items of the course must follow: recordings'
transcripts); content calls them without knowing who listens (wired in `training.wiring`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from search import SearchIndex
from training.content.models import Course, Topic


class CourseFollower(Protocol):
    """Called after a changed course's own document and its lessons' were put or removed."""

    async def __call__(
        self, session: AsyncSession, *, index: SearchIndex, course: Course, topic: Topic
    ) -> object: ...


class NotWired(RuntimeError):
    """A course changed before the service wired its followers: its other items would stay
    searchable (or hidden) as they were."""


@dataclass
class ContentFollowers:
    course_synced: list[CourseFollower] = field(default_factory=list)
    wired: bool = False

    def subscribe(self, *, course_synced: CourseFollower) -> None:
        """Add a follower; adding one already there changes nothing, so wiring twice is safe."""
        if course_synced not in self.course_synced:
            self.course_synced.append(course_synced)
        self.wired = True

    async def synced(
        self, session: AsyncSession, *, index: SearchIndex, course: Course, topic: Topic
    ) -> None:
        if not self.wired:
            raise NotWired("content's followers are not wired (training.wiring)")
        for follower in self.course_synced:
            await follower(session, index=index, course=course, topic=topic)


# The one registry of the process: the routes and the demo loader both reach it.
FOLLOWERS = ContentFollowers()
