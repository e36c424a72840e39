"""Errors a person can act on: one sentence, and the exit code the CLI returns."""


class LexlensError(Exception):
    """A failure explained in one sentence; the CLI prints it and exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
