"""The judged help-desk articles (shared search-dev collection, kind `article`), published with
their document ids as slugs, each under the service its topic belongs to."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from helpdesk.demo.catalogue import SERVICES
from helpdesk.knowledge.schemas import ArticleIn
from helpdesk.knowledge.service import create_article
from search import SearchIndex

ARTICLES = Path(__file__).resolve().parent / "articles.jsonl"


async def load_articles(session: AsyncSession, *, principal: Principal, index: SearchIndex) -> int:
    service_of_topic = {
        topic: service_id for service_id, body in SERVICES.items() for topic in body["categories"]
    }
    count = 0
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        await create_article(
            session,
            principal=principal,
            index=index,
            body=ArticleIn(
                slug=raw["id"],
                service_id=service_of_topic.get(raw["topic"]),
                lang=raw["lang"],
                title=raw["title"],
                body=raw["body"],
                tags=raw["tags"],
                topic=raw["topic"],
                status="published",
            ),
            request_id=None,
        )
        count += 1
    return count
