"""The problems the knowledge base raises."""

from chassis.problems import Conflict, FieldProblem, InvalidField, NotFound


class ArticleNotFound(NotFound):
    pass


class DuplicateSlug(FieldProblem, Conflict):
    slug = "duplicate-slug"


class UnknownArticleService(InvalidField):
    slug = "unknown-service"


class UnknownTranslation(InvalidField):
    slug = "unknown-article"


class NotPublished(Conflict):
    slug = "article-not-published"


class AlreadyLinked(Conflict):
    slug = "already-linked"
