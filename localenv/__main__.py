"""Entry point: python -m localenv up|down|status."""

import sys

from localenv.cli import main

sys.exit(main())
