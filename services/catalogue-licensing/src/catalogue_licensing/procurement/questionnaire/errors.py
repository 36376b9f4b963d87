"""The problems of questionnaires' rules."""

from chassis.problems import Conflict, NotFound


class QuestionnaireNotFound(NotFound):
    slug = "questionnaire-not-found"


class QuestionnaireFrozen(Conflict):
    """The round is open (or later): vendors answer the questions as they were."""

    slug = "questionnaire-frozen"
