"""``python -m lexlens``: the ``lexlens`` command."""
from lexlens.analytics.cli import run_and_exit

run_and_exit()
