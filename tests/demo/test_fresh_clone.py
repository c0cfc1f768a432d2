"""A fresh clone, `make run`, nothing else: the node answers and the demonstration is there.

This is the first thing an evaluator does, so it runs the real path: a
clone in a temporary directory, the Makefile creating its own virtual
environment (pip takes what it has cached), `tabadul init --demo`, then
`tabadul serve`. Slow, mostly for the installation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parents[2]
ROLES = ("administrator", "analyst", "liaison", "supervisor", "auditor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_make_run_on_a_fresh_clone_serves_the_demonstration(tmp_path):
    if not (ROOT / ".git").exists() or not shutil.which("git") or not shutil.which("make"):
        pytest.skip("needs a git checkout, git and make")
    clone = tmp_path / "tabadul"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    # What a newcomer's shell has: none of our settings, no active virtual environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TABADUL_")}
    env.pop("VIRTUAL_ENV", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # make, the install and the server: one group to stop
    )
    output: list[str] = []
    reader = threading.Thread(
        target=lambda: output.extend(
            line.decode(errors="replace") for line in iter(process.stdout.readline, b"")
        ),
        daemon=True,
    )
    reader.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while True:
            assert process.poll() is None, "".join(output)[-3000:]
            assert time.monotonic() < deadline, "".join(output)[-3000:]
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)

        printed = "".join(output)
        for role in ROLES:
            assert re.search(rf"^\s+{role}\s+\S+\s+\S{{12,}}$", printed, re.MULTILINE), printed
        assert f"{url}/" in printed

        made = subprocess.run(
            [
                ".venv/bin/tabadul",
                "token",
                "create",
                "--data-dir=var/node",
                "--user=analyst",
                "--json",
            ],
            cwd=clone,
            env=env,
            capture_output=True,
            check=True,
        )
        token = json.loads(made.stdout)["token"]  # read scope, the default
        headers = {"Authorization": f"Bearer {token}", "X-Tabadul-Purpose": "first hour"}
        listed = httpx.get(url + "/api/v1/reports?limit=200", headers=headers, timeout=30)
        assert listed.status_code == 200, listed.text
        assert len(listed.json()["items"]) == 40
        languages = {r["language"] for r in listed.json()["items"]}
        assert {"ar", "fr", "en"} <= languages

        def hits() -> int:
            page = httpx.get(url + "/api/v1/hits", headers=headers, timeout=30).json()
            return len(page["items"])

        deadline = time.monotonic() + 120
        while not hits():
            assert time.monotonic() < deadline, "correlation raised no hit on the demo content"
            time.sleep(1)
        signin = httpx.get(url + "/", timeout=30, follow_redirects=True)
        assert signin.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()
        reader.join(timeout=5)


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
@pytest.mark.parametrize(("value", "seeded"), [("1", True), ("0", False)])
def test_tabadul_demo_0_switches_the_demonstration_content_off(tmp_path, value, seeded):
    planned = subprocess.run(
        ["make", "-n", "run", f"DATA={tmp_path / 'node'}", f"TABADUL_DEMO={value}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tabadul init" in planned
    assert ("--demo" in planned) is seeded
