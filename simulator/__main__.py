"""Run simulated phones: `python -m simulator --help`."""

import sys

from .cli import main

sys.exit(main())
