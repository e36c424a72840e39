"""When lexlens forks a second process beside its own: the report's split
(``analytics.report.two_cores``) and the store's write beside the report
(``analytics.store.aside``). Both need Linux's fork and two cores, and both are worth it only
from MIN_TURNS. Above LARGE_TURNS the child must hold little memory of its own: the pages it
un-shares and the temporaries of parts run side by side add up (5M records: the tree's peak
was 6.3 GiB with the outcomes in the child)."""
from __future__ import annotations

import os
import sys

MIN_TURNS = 20_000  # below this, forking costs more than it saves
LARGE_TURNS = 2_000_000


def second_core_available() -> bool:
    return sys.platform == "linux" and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2
