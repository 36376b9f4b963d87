"""Who finds which articles: agents every one, everybody else published public ones."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from chassis.auth import Principal
from helpdesk.knowledge.models import Article


def sees_internal_articles(principal: Principal | None) -> bool:
    return principal is not None and "agent" in principal.roles


def audiences(principal: Principal | None) -> frozenset[str]:
    """What a search may return to the caller: internal articles to agents only."""
    return (
        frozenset({"public", "internal"})
        if sees_internal_articles(principal)
        else frozenset({"public"})
    )


def article_scope(principal: Principal | None) -> ColumnElement[bool]:
    if sees_internal_articles(principal):
        return true()
    return and_(Article.status == "published", Article.audience == "public")
