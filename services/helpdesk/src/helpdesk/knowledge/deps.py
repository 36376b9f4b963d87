"""Load-or-404 dependency of articles' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import OptionalPrincipalDep
from chassis.sessions import SessionDep
from helpdesk.knowledge import service
from helpdesk.knowledge.models import Article

ArticleId = Annotated[uuid.UUID, PathParam(description="The article's id (a UUID)")]


async def _article(
    article_id: ArticleId, session: SessionDep, principal: OptionalPrincipalDep
) -> Article:
    return await service.get_article(session, principal=principal, article_id=article_id)


ArticleDep = Annotated[Article, Depends(_article)]
