"""Which function handles which kind of job.

Search, correlation and exchange register their job kinds here as they land.
"""

from __future__ import annotations

from tabadul.jobs.worker import Handler


def handlers() -> dict[str, Handler]:
    """Every job kind this version of Tabadul knows, with its handler."""
    return {}
