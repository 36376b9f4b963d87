"""Load-or-404 dependencies of content routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from training.content import outline, service
from training.content.models import Course, CourseModule, Lesson, Topic

TopicId = Annotated[uuid.UUID, PathParam(description="The topic's id (a UUID)")]
CourseId = Annotated[uuid.UUID, PathParam(description="The course's id (a UUID)")]
ModuleId = Annotated[uuid.UUID, PathParam(description="The module's id (a UUID)")]
LessonId = Annotated[uuid.UUID, PathParam(description="The lesson's id (a UUID)")]


async def _topic(topic_id: TopicId, session: SessionDep) -> Topic:
    return await service.get_topic(session, topic_id=topic_id)


async def _course(course_id: CourseId, session: SessionDep, principal: PrincipalDep) -> Course:
    return await service.get_course(session, principal=principal, course_id=course_id)


async def _module(
    course_id: CourseId, module_id: ModuleId, session: SessionDep, principal: PrincipalDep
) -> CourseModule:
    course = await service.get_course(session, principal=principal, course_id=course_id)
    return await outline.get_module(session, course=course, module_id=module_id)


async def _lesson(lesson_id: LessonId, session: SessionDep, principal: PrincipalDep) -> Lesson:
    return await outline.get_lesson(session, principal=principal, lesson_id=lesson_id)


TopicDep = Annotated[Topic, Depends(_topic)]
CourseDep = Annotated[Course, Depends(_course)]
ModuleDep = Annotated[CourseModule, Depends(_module)]
LessonDep = Annotated[Lesson, Depends(_lesson)]
