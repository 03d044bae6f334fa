"""Joining a Dask scheduler is bounded in time whatever listens at the address (issue 14, item 5):
a server that accepts TCP but never answers, or answers garbage, gives a CrewsimError within the
timeout, and no results folder is left behind."""

from __future__ import annotations

import socket
import threading
import time

import fake_model
import pytest

from sim.errors import CrewsimError
from sim.montecarlo import backends, results, runner


def _server(reply: bytes | None) -> tuple[str, socket.socket]:
    """A TCP server on a free local port that accepts connections and sends ``reply`` (or
    nothing), then stays silent."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            held.append(conn)
            if reply:
                conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return f"tcp://127.0.0.1:{sock.getsockname()[1]}", sock


@pytest.mark.parametrize(
    "reply",
    [None, b"\xff" * 64, b"HTTP/1.1 200 OK\r\n\r\nhello"],
    ids=["silent", "garbage", "http"],
)
def test_a_scheduler_address_that_is_not_a_scheduler(reply, tmp_path, monkeypatch) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(backends, "SCHEDULER_TIMEOUT_S", 2)
    address, sock = _server(reply)
    scenario = fake_model.write_scenario(tmp_path / "fake.yaml")
    t0 = time.monotonic()
    try:
        with pytest.raises(CrewsimError, match="cannot reach the Dask scheduler at tcp://") as err:
            runner.run(
                str(scenario), n=20, backend="dask", scheduler=address, out=tmp_path / "r",
                model=fake_model.MODEL,
            )  # fmt: skip
    finally:
        sock.close()
    assert time.monotonic() - t0 < 15
    assert "within 2 s" in str(err.value)
    assert not (tmp_path / "r").exists() and not results.partial_path(tmp_path / "r").exists()


def _worker_start() -> tuple[int, bool]:
    """This worker's parent process and whether the model was loaded."""
    import os
    import sys

    return os.getppid(), "sim.model" in sys.modules


def test_a_local_cluster_forks_its_workers_with_the_model_loaded() -> None:
    """The local cluster's workers come from the forkserver (their parent is not this process,
    as it would be with Dask's default start, spawn), with Dask and the model loaded, so no
    worker imports them itself (the fixed CPU cost behind Dask's efficiency)."""
    import os

    dd = pytest.importorskip("dask.distributed")
    if backends.worker_start_method() != "forkserver":
        pytest.skip("this platform has no forkserver")
    cluster = backends.local_cluster(dd, 2)
    try:
        with dd.Client(cluster) as client:
            starts = client.run(_worker_start)
    finally:
        cluster.close()
    assert len(starts) == 2
    parents = {parent for parent, _ in starts.values()}
    assert len(parents) == 1 and os.getpid() not in parents  # one forkserver forked both
    assert all(model_loaded for _, model_loaded in starts.values())
