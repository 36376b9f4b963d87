"""python -m training serve | migrate"""

import sys

from chassis.cli import service_main
from training.app import SPEC
from training.settings import TrainingSettings


def main() -> int:
    return service_main(SPEC, TrainingSettings)


if __name__ == "__main__":
    sys.exit(main())
