"""``tabadul demo start`` and ``stop``: three demonstration nodes playing a scripted exchange."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from tabadul.cli.common import reports_errors
from tabadul.demo import cluster, scenario
from tabadul.demo.cluster import DemoFailed, DemoNode
from tabadul.errors import Conflict

dir_option = click.option(
    "--dir",
    "base",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Where the three nodes keep their data, logs and pid files.",
)


@click.group()
def demo() -> None:
    """The three-node demonstration (make demo, make demo-stop)."""


@demo.command("start")
@dir_option
@click.option(
    "--ports",
    default="8001,8002,8003",
    show_default=True,
    help="Ports of Rabat, Madrid and Berlin, comma-separated.",
)
@click.option(
    "--wait/--no-wait",
    default=None,
    help="Wait for Enter before each step (default: when standard input is a terminal).",
)
@reports_errors
def demo_start(base: Path, ports: str, wait: bool | None) -> None:
    """Create and serve three linked nodes, print their users, and play the scenario."""
    numbers = tuple(int(p) for p in ports.split(","))
    if len(numbers) != 3:
        raise click.BadParameter("three ports: Rabat, Madrid, Berlin", param_hint="--ports")
    if wait is None:
        wait = sys.stdin.isatty()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    click.echo(f"Creating three demonstration nodes in {base} …")
    nodes = cluster.create(base, (numbers[0], numbers[1], numbers[2]))
    try:
        for node in nodes:
            cluster.start(node)
        click.echo("Linking the nodes and making their agreements …")
        scene = scenario.prepare(nodes)
    except DemoFailed as exc:
        cluster.stop(base)
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Conflict:
        cluster.stop(base)
        raise
    _print_nodes(nodes)

    def before(number: int, step: scenario.Step) -> None:
        click.echo(f"\nStep {number}/{len(scenario.STEPS)}: {step.title}")
        click.echo(f"  Watch: {step.watch}")
        if wait:
            click.prompt(
                "  Press Enter to play it", default="", show_default=False, prompt_suffix=""
            )

    def after(result: str) -> None:
        click.echo(f"  Done: {result}")

    try:
        scenario.play(scene, before, after)
    except DemoFailed as exc:
        click.echo(f"error: the scenario stopped: {exc}", err=True)
        click.echo("The nodes are still running; 'make demo-stop' ends them.", err=True)
        sys.exit(1)
    click.echo(
        "\nThe scenario is complete. The nodes keep running for you to explore;"
        " 'make demo-stop' ends them."
    )


@demo.command("stop")
@dir_option
@reports_errors
def demo_stop(base: Path) -> None:
    """Stop the demonstration's nodes (by the pid files in its directory)."""
    stopped = cluster.stop(base)
    click.echo(f"Stopped: {', '.join(stopped)}." if stopped else "No demonstration node running.")


def _print_nodes(nodes: list[DemoNode]) -> None:
    click.echo("\nThree nodes are serving. One-time passwords (shown once):")
    for node in nodes:
        click.echo(f"\n  {node.site.name} — {node.url}/")
        for user in node.users:
            click.echo(f"    {user.role:<14} {user.username:<11} {user.password}")
    click.echo(
        "\nOpen each node in its own browser (or private window): cookies are per address."
        "\nThe first sign-in of each user sets up an authenticator app (see docs/demo.md)."
    )
