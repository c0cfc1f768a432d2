"""The domain model: reports, entities, handling, grading, accounts, partners.

Pure data and rules — no I/O and no framework. Everything else in Tabadul
imports this package; it imports nothing of ours but ``tabadul.errors``.
"""
