"""The `pegasus` console command: Django's management commands under one name.

`pegasus demo`, `pegasus estate summary --as-at 2019-05-23 --json`, `pegasus migrate`, `pegasus runserver`...
"""

import os
import sys

# Commands that use no models, pages or URLs run without `django.setup()`, which imports every app (about a second):
# they read settings, files and DuckDB only.
STANDALONE = {
    "performance": "pegasus.performance.management.commands.performance",
    "appraisal": "pegasus.programme.management.commands.appraisal",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pegasus.settings")
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in STANDALONE:
        from importlib import import_module

        import_module(STANDALONE[args[0]]).Command().run_from_argv(["pegasus", *args])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pegasus", *args])


if __name__ == "__main__":
    main()
