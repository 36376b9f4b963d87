"""The problems imports raise, each a kind with its own type."""

from chassis.problems import BadRequest, Invalid, NotFound, TypedProblem


class ImportNotFound(NotFound):
    slug = "import-not-found"


class ImportRejected(Invalid):
    """The file has errors: nothing was written; `report` names each bad row and why."""

    slug = "import-rejected"


class NotCsv(TypedProblem):
    status_code = 415
    slug = "unsupported-media-type"


class EmptyUpload(BadRequest):
    slug = "empty-upload"
