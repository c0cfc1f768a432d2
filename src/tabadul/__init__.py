"""Tabadul: federated exchange and analysis of intelligence between partner services."""

__version__ = "0.1.0"
