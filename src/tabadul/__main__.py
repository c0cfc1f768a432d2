"""``python -m tabadul`` is the ``tabadul`` command."""

from tabadul.cli import main

main()
