"""Where federation delivery spends its CPU: both sides in one process, no HTTP.

    python bench/exchange_profile.py [--reports 300] [--profile send|receive|none]

Rabat and Madrid are initialised, linked and agreed through the CLI (as in
``exchange_bench.py``); ``--reports`` synthetic reports are imported into
Rabat and shared with Madrid. Then Rabat's delivery job runs in this process
with the post to Madrid replaced by a direct call of Madrid's receiving
service (the request and answer still go through JSON), and no pipelining
thread, so that CPU time splits cleanly: the receiving side is what
``delivery.receive`` costs, the sending side everything else. Prints CPU ms
per message for each side; with ``--profile`` the top functions of that side
(cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from exchange_bench import Served, count_queued, link_and_agree, queue_shares


class _Inline:
    """A stand-in for the delivery job's one-thread pool: runs the post at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # broad on purpose: handed to the caller, as a pool would
            future.set_exception(exc)
        return future


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--profile", choices=["send", "receive", "jobs", "none"], default="none")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    from tabadul.services import delivery
    from tabadul.services.node import Node
    from tabadul.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="tabadul-exchange-profile-") as tmp:
        base = Path(tmp)
        rabat, madrid = Served(base, "rabat", "MA"), Served(base, "madrid", "ES")
        rabat.start()
        madrid.start()
        try:
            partner_id = link_and_agree(rabat, madrid)
        finally:
            madrid.stop()
        queue_shares(rabat, partner_id, args.reports)
        rabat.stop()
        queued = count_queued(rabat.data_dir)

        sender = Node.open(load_settings(rabat.data_dir))
        receiver = Node.open(load_settings(madrid.data_dir))
        receive_cpu = 0.0
        receive_profile = cProfile.Profile()
        send_profile = cProfile.Profile()

        def post(node: Node, batch: Any) -> list[dict[str, Any]]:
            nonlocal receive_cpu
            request = json.loads(json.dumps({"messages": batch.sealed}))
            if args.profile == "send":
                send_profile.disable()
            started = time.process_time()
            if args.profile == "receive":
                receive_profile.enable()
            answer = delivery.receive(receiver, request["messages"], "127.0.0.1")
            if args.profile == "receive":
                receive_profile.disable()
            receive_cpu += time.process_time() - started
            if args.profile == "send":
                send_profile.enable()
            answer = json.loads(json.dumps(answer))
            return delivery._answers(node, batch.partner, answer, len(batch.sealed))

        time.sleep(1)  # Rabat tried Madrid while it was stopped: let that backoff (0.5 s) pass
        delivery._post = post  # type: ignore[assignment]
        delivery.ThreadPoolExecutor = _Inline  # type: ignore[assignment,misc]
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        if args.profile == "send":
            send_profile.enable()
        while count_queued(rabat.data_dir):
            delivery.deliver_due(sender)
        if args.profile == "send":
            send_profile.disable()
        total_cpu = time.process_time() - started_cpu
        wall = time.perf_counter() - started_wall
        # What the receiver's worker does afterwards: index and correlate what arrived.
        from tabadul.jobs.handlers import handlers
        from tabadul.jobs.worker import Worker

        jobs_profile = cProfile.Profile()
        started_jobs = time.process_time()
        if args.profile == "jobs":
            jobs_profile.enable()
        ran = Worker(receiver.db, receiver.settings, handlers(receiver)).run_until_idle()
        jobs_profile.disable()
        jobs_cpu = time.process_time() - started_jobs
        sender.close()
        receiver.close()

    send_cpu = total_cpu - receive_cpu
    print(
        f"{queued} messages in {wall:.1f} s wall; CPU per message: "
        f"send {send_cpu / queued * 1000:.2f} ms, receive {receive_cpu / queued * 1000:.2f} ms, "
        f"total {total_cpu / queued * 1000:.2f} ms"
    )
    print(f"then the receiver's {ran} jobs: {jobs_cpu / queued * 1000:.2f} ms per message")
    chosen = {"send": send_profile, "receive": receive_profile, "jobs": jobs_profile}.get(
        args.profile
    )
    if chosen is not None:
        out = io.StringIO()
        pstats.Stats(chosen, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
