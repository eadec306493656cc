"""The `onewindow` console script: runs Django management commands like manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onewindow", *sys.argv[1:]])


if __name__ == "__main__":
    main()
