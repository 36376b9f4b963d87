"""python -m kpi serve | migrate | import-observations FILE | harvest"""

import sys

from chassis.cli import ExtraCommand, service_main
from kpi.app import SPEC, create_app
from kpi.harvest import cli as harvest_cli
from kpi.imports import cli as imports_cli
from kpi.settings import KpiSettings


def main() -> int:
    return service_main(
        SPEC,
        KpiSettings,
        app_factory=create_app,
        extra={
            "import-observations": ExtraCommand(
                help="import figures from a CSV file (all or nothing), with a progress bar",
                run=imports_cli.run,
                arguments=imports_cli.arguments,
            ),
            "harvest": ExtraCommand(
                help="harvest the catalogue's events feed up to its end now",
                run=harvest_cli.run,
            ),
        },
    )


if __name__ == "__main__":
    sys.exit(main())
