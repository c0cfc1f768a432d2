"""Multilingual full-text search: analysis, query language, index and queries on both databases.

- :mod:`~tabadul.search.analysis` turns texts and query words into the
  normalised words and stems both backends index;
- :mod:`~tabadul.search.query` parses the query language into a tree;
- :mod:`~tabadul.search.backends` compiles that tree for SQLite FTS5 or
  PostgreSQL full text (the one place the two differ);
- :mod:`~tabadul.search.documents` builds and writes the indexed documents;
- :mod:`~tabadul.search.engine` runs a query with filters, the caller's
  visibility, counts and facets;
- :mod:`~tabadul.search.snippets` cuts highlighted extracts from the originals.

Access decisions are not made here: the service passes in the policy's
visibility, and every number is computed over visible records only.
"""
