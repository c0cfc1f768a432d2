"""The JSON API (FastAPI); OpenAPI at ``/api/openapi.json``."""
