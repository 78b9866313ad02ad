#!/usr/bin/env python
"""Django's manage.py; `pegasus` is the same command installed on the path."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from pegasus.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
