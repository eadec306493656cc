#!/usr/bin/env python
"""Django's command-line utility; the installed `onewindow` command does the same."""

from onewindow.cli import main

if __name__ == "__main__":
    main()
