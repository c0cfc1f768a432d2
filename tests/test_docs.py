"""Docs that tests keep honest: every command and every setting is documented."""

from pathlib import Path

import click

from tabadul.cli import main
from tabadul.settings import Settings

DOCS = Path(__file__).parents[1] / "docs"


def commands(group: click.Group, prefix: str = "tabadul") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
        else:
            found.append(path)
    return found


def test_every_cli_command_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in commands(main) if f"### `{c}`" not in text]
    assert missing == []


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`TABADUL_{n.upper()}`" not in text]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block


def test_relative_links_in_the_docs_lead_somewhere():
    import re

    broken = []
    pages = [DOCS.parent / "README.md", *sorted(DOCS.rglob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(DOCS.parent)} → {target}")
    assert broken == []
