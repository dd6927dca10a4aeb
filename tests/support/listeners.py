"""Listening sockets on the host that record every connection, for tests that a sandboxed program cannot reach
them."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def accepting(listeners: list[socket.socket]) -> Iterator[list]:
    """Accept on every (bound, listening, short-timeout) socket in a thread; yields the connections accepted.

    The sockets are closed afterwards, so a test only asserts that the list stayed empty.
    """
    accepted: list = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            for listener in listeners:
                try:
                    accepted.append(listener.accept())
                except OSError:  # the timeout: look again
                    pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield accepted
    finally:
        stop.set()
        thread.join()
        for listener in listeners:
            listener.close()
