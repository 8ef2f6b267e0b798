#!/usr/bin/env python
import os
import sys


def main() -> None:
    # Production unless told otherwise: `make demo`, `make serve` and `make check`
    # set config.settings.local, the tests config.settings.test (pyproject.toml).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
