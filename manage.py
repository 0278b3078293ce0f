#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justicelib.settings")
    # Like Django's, and the history events a command writes are labelled with its name.
    from history.commands import execute_from_command_line

    execute_from_command_line(sys.argv)
