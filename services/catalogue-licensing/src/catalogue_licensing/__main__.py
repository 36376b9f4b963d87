"""python -m catalogue_licensing serve | migrate"""

import sys

from catalogue_licensing.app import SPEC
from catalogue_licensing.settings import CatalogueSettings
from chassis.cli import service_main


def main() -> int:
    return service_main(SPEC, CatalogueSettings)


if __name__ == "__main__":
    sys.exit(main())
