"""`python -m genimg.evaluate`: see cli.py."""

import sys

from .cli import main

sys.exit(main())
