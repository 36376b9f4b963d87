"""python -m gateway serve | migrate | clients ... | keys ... | token | load-demo"""

import sys

from gateway.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
