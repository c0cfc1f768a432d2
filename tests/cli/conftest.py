import json

import pytest
from click.testing import CliRunner

from tabadul.cli import main


@pytest.fixture
def cli():
    """Run ``tabadul …`` in process against a node's settings; returns the click result."""
    runner = CliRunner()

    def run(settings, *args, expect=0, env=None):
        environment = (
            {"TABADUL_DATABASE_URL": settings.database_url} if settings.database_url else {}
        )
        environment.update(env or {})
        full = [str(a) for a in args]
        if "--data-dir" not in full and full[0] not in {"--help"}:
            full += ["--data-dir", str(settings.data_dir)]
        result = runner.invoke(main, full, env=environment, catch_exceptions=False)
        assert result.exit_code == expect, result.output + (result.stderr or "")
        return result

    return run


def as_json(result):
    return json.loads(result.stdout)
