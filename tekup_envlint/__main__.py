"""`python -m tekup_envlint` runs the command line."""

import sys

from tekup_envlint.cli import main

sys.exit(main())
