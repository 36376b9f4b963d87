"""The problems attachments raise: too large, a type not taken, content that is not its type."""

from chassis.problems import TypedProblem, Unprocessable


class AttachmentTooLarge(TypedProblem):
    # The kit has no 413 kind; this belongs there (reported).
    status_code = 413
    slug = "attachment-too-large"


class ForbiddenMediaType(TypedProblem):
    status_code = 415
    slug = "forbidden-media-type"


class ContentNotDeclaredType(Unprocessable):
    slug = "content-not-declared-type"


class EmptyAttachment(Unprocessable):
    slug = "empty-attachment"
