"""The problems agreements' rules raise, each a kind with its own type."""

from chassis.problems import NotFound


class AgreementNotFound(NotFound):
    pass
