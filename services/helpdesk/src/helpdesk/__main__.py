"""python -m helpdesk serve | migrate"""

import sys

from chassis.cli import service_main
from helpdesk.app import SPEC
from helpdesk.settings import HelpdeskSettings


def main() -> int:
    return service_main(SPEC, HelpdeskSettings)


if __name__ == "__main__":
    sys.exit(main())
