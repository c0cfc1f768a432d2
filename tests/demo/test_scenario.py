"""The three-node demonstration, end to end, as real processes: each step shows where it should."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from tabadul.cli import main
from tabadul.demo import cluster, scenario
from tabadul.errors import Conflict


def free_ports(n: int) -> tuple[int, ...]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return tuple(int(s.getsockname()[1]) for s in sockets)
    finally:
        for s in sockets:
            s.close()


@pytest.mark.slow
def test_the_scripted_exchange_plays_and_each_step_is_visible_where_it_should_be(tmp_path):
    base = tmp_path / "demo"
    a, b, c = free_ports(3)
    nodes = cluster.create(base, (a, b, c))
    try:
        for node in nodes:
            cluster.start(node)
        scene = scenario.prepare(nodes)
        announced, done = [], []
        scenario.play(scene, lambda n, step: announced.append(n), done.append)
        assert announced == [1, 2, 3, 4, 5, 6]
        assert len(done) == 6
        rabat, madrid, berlin = nodes
        ids = scene.ids

        shares = madrid.ok("GET", f"/api/v1/reports/{ids['report']}/shares", "liaison")
        assert sorted(s["status"] for s in shares) == ["delivered", "delivered"]

        hit = rabat.ok("GET", f"/api/v1/hits/{ids['hit']}", "supervisor")
        assert hit["state"] == "confirmed"
        names = [n for side in (hit["left"], hit["right"]) for n in side["properties"]["name"]]
        assert scene.person.arabic in names
        assert scene.spelling in names
        assert scene.spelling not in scene.person.arabic  # Latin against Arabic script
        assert any(r["kind"] == "name" for r in hit["reasons"])
        assert not any(r["kind"] == "selector" for r in hit["reasons"])  # the name carried it
        alerts = rabat.ok("GET", "/api/v1/alerts", "supervisor")
        assert any(a["watchlist_id"] == ids["watchlist"] for a in alerts)

        asked = madrid.ok("GET", f"/api/v1/rfis/{ids['rfi']}", "liaison")
        assert asked["direction"] == "received"
        answered = rabat.ok("GET", f"/api/v1/rfis/{ids['rfi']}", "liaison")
        assert answered["direction"] == "sent"
        assert answered["replies"][0]["answer"].startswith("Two crossings")

        for node in (madrid, rabat, berlin):
            held = node.ok("GET", f"/api/v1/reports/{ids['report']}", "analyst")
            assert held["status"] == "withdrawn", node.site.key
    finally:
        stopped = cluster.stop(base)
    assert sorted(stopped) == ["berlin", "madrid", "rabat"]
    assert cluster.running(base) == []


def test_a_directory_that_is_not_a_demonstration_is_left_alone(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(Conflict):
        cluster.create(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_a_port_in_use_is_refused_before_anything_is_created(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = CliRunner().invoke(
            main, ["demo", "start", "--dir", str(tmp_path / "demo"), "--ports", f"{taken},1,2"]
        )
    assert result.exit_code == 1
    assert f"port {taken} is in use" in result.output
    assert not (tmp_path / "demo").exists()


def test_stop_with_nothing_running(tmp_path):
    result = CliRunner().invoke(main, ["demo", "stop", "--dir", str(tmp_path)])
    assert result.exit_code == 0
    assert "No demonstration node running" in result.output
