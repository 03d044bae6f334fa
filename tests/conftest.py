"""Shared test fixtures and the place of the shared test data (`tests/data`, `tests/scenarios`)."""

import pytest


@pytest.fixture(scope="session")
def dask_scheduler():
    """One LocalCluster of 2 single-threaded worker processes on 127.0.0.1, shared by the tests."""
    dd = pytest.importorskip("dask.distributed")
    cluster = dd.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    yield cluster.scheduler_address
    cluster.close()
