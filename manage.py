#!/usr/bin/env python
import os
import sys

# Commands that only write code (migration files) and never serve a request:
# they run with the local settings, so a developer's or a checker's
# `manage.py makemigrations --check` needs no production SECRET_KEY.
AUTHORING_COMMANDS = {"makemigrations", "squashmigrations"}


def main() -> None:
    # Production unless told otherwise: `make demo`, `make serve` and `make check`
    # set config.settings.local, the tests config.settings.test (pyproject.toml).
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    default = "config.settings.local" if command in AUTHORING_COMMANDS else "config.settings.production"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
