"""The `pegasus` console command: Django's management commands under one name.

`pegasus demo`, `pegasus estate summary --as-at 2019-05-23 --json`, `pegasus migrate`, `pegasus runserver`...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pegasus.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pegasus", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
