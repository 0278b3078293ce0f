"""Management commands name themselves in the history they write.

`manage.py` runs every command inside a pghistory context holding the command's name, so that
events written by `load_demo_data`, `shell` or a data import say which command made them.
"""

import contextlib
from collections.abc import Sequence

# A development server handles requests in other threads: the middleware gives those their
# context, and a context around the whole server would mean nothing. Migrations run SQL of their
# own (format('%I', …) among it) that must reach PostgreSQL as written: the context is sent as a
# parameter of every statement, which makes psycopg read each % in the SQL as a placeholder.
# The benchmark's generator loads with the history triggers off, and runs VACUUM, which takes no
# parameters and no transaction.
UNTRACKED_COMMANDS = {"runserver", "migrate", "generate_synthetic", "benchmark"}


def command_context(argv: Sequence[str]) -> contextlib.AbstractContextManager:
    """The history context for `manage.py <command> …`: the command's name."""
    import pghistory

    command = argv[1] if len(argv) > 1 else ""
    if not command or command.startswith("-") or command in UNTRACKED_COMMANDS:
        return contextlib.nullcontext()
    return pghistory.context(command=command)


def execute_from_command_line(argv: Sequence[str]) -> None:
    from django.core import management

    with command_context(argv):
        management.execute_from_command_line(list(argv))
