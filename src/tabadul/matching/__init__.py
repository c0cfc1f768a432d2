"""Correlation of records against holdings and watchlists: selectors, profiles, scores with reasons.

Pure: nothing here reads or writes the database. ``storage.matching`` keeps
the keys, hits and watchlists; ``services.correlation`` puts the two together.
"""
