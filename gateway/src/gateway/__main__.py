"""python -m gateway serve | migrate | clients add|list | token | load-demo"""

import sys

from gateway.cli import main

if __name__ == "__main__":
    sys.exit(main())
