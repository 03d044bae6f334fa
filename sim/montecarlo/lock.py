"""One writer per run folder: an exclusive lock held while a run or a resume writes its folder.

The lock is ``<run>.partial/.lock``, locked with ``flock`` and holding the owner's PID and host. The
operating system drops a ``flock`` when its process dies, however it dies, so a lock left by a
killed run is stale by construction and taken over at once; a live owner makes a second run or
resume stop with "another crewsim process is writing this run" instead of redoing its work.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from types import TracebackType

from sim.errors import CrewsimError

LOCK_NAME = ".lock"


class RunLock:
    """``with RunLock(partial): ...`` holds the run folder's lock for the block."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        import fcntl

        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise CrewsimError(
                f"cannot lock the run folder {self.folder}: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise CrewsimError(
                f"another crewsim process is writing this run ({self.folder}; owner: {owner}); "
                "wait for it to finish, or stop it, then try again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self, remove: bool = True) -> None:
        """Drop the lock (and, by default, its file: a finished folder carries no lock file)."""
        if self._fd is None:
            return
        if remove:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release(remove=self.folder.is_dir())
