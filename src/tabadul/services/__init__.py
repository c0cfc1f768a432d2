"""Use cases: the only code that opens and commits transactions."""
