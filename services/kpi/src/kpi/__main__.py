"""python -m kpi serve | migrate"""

import sys

from chassis.cli import service_main
from kpi.app import SPEC
from kpi.settings import KpiSettings


def main() -> int:
    return service_main(SPEC, KpiSettings)


if __name__ == "__main__":
    sys.exit(main())
