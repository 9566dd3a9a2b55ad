"""`python -m genimg.data`: see cli.py."""

import sys

from .cli import main

sys.exit(main())
