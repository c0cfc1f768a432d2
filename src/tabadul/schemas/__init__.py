"""Wire schemas: the pydantic shapes of the JSON API and of import/export lines.

They are not tables and not the domain model; services translate between
them. The API, the CLI and the importer all read and write these shapes, so a
report looks the same wherever it enters or leaves the node.
"""
