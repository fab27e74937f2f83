"""Worker processes for ``rag serve --workers N``: the parent accepts, the workers answer, in turn.

Why not uvicorn's own workers: they share one listening socket, and a worker that wakes up accepts
every connection waiting (uvloop, like asyncio, drains the queue), so clients that connect at about
the same time mostly land on one worker and stay there over keep-alive. Measured with
``bench/load.py`` (8 clients, 2 workers): 8 + 0 connections in 5 of 6 runs, 6 + 2 in the sixth, and
two workers then answer like one. Node's cluster module documents the same unevenness and for that
reason distributes connections from its primary process by default
(https://nodejs.org/api/cluster.html#how-it-works).

Why not gunicorn (issue 19): with ``--reuse-port`` gunicorn 27 opens one ``SO_REUSEPORT`` socket in
each worker (benoitc/gunicorn#2938), and the kernel then picks a socket by a hash of each
connection's addresses: at random, not in turn. 8 connections opened together on 2 workers, 60
trials each (2026-12-04): this module 4 + 4 in 60 of 60; gunicorn + uvicorn workers with
``--reuse-port`` 4 + 4 in 23, 5 + 3 in 22, 6 + 2 in 10, 7 + 1 in 5 (chance gives 16, 26, 13, 4);
gunicorn without it 8 + 0 or 7 + 1 in 47; ``uvicorn --workers`` (0.55 has no option for this) 8 + 0
or 7 + 1 in 36, never 4 + 4. On ``bench/load.py --server`` (8 clients, quiet rounds) the p95 follows
the split: gunicorn 74-92 ms at 4 + 4 and 101-115 ms at 5 + 3 to 7 + 1, this module 70-95 ms (4 + 4
in every run), with the same server CPU per request (README, "Load"). So this stays until a server
hands connections out in turn.

So here, as in Node, the parent process listens and accepts, and hands each connection's socket to
the next worker in turn over a Unix socket pair (``SCM_RIGHTS``). A worker serves it with uvicorn's
own protocol and app, exactly as if it had accepted it, so requests are handled as before; the
parent does one ``accept`` and one ``sendmsg`` per connection, nothing per request. A worker that
dies is started again; SIGINT or SIGTERM stops the workers gracefully (uvicorn's shutdown in each).

Example (what ``rag serve --workers 2`` runs)::

    serve({"app": "api.main:create_app", "factory": True, "host": "127.0.0.1", "port": 8000}, workers=2)
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

STARTUP_FAILURE = 3  # uvicorn's exit status when the app cannot start (uvicorn.config.STARTUP_FAILURE)
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class _Worker:
    """One worker process and the parent's end of its socket pair."""

    number: int
    process: subprocess.Popen[bytes]
    channel: socket.socket
    started: float = field(default_factory=time.monotonic)


def serve(options: dict[str, Any], *, workers: int, stop_timeout: float = 30.0) -> int:
    """Listen on ``options``' host and port and serve with ``workers`` processes until a stop signal.

    Args:
        options: keyword arguments of ``uvicorn.Config`` (JSON values: each worker builds its own
            Config from them); ``host`` and ``port`` are where the parent listens.
        workers: number of worker processes (2 or more; one worker needs no parent).
        stop_timeout: seconds to wait for the workers' graceful shutdown before killing them.

    Returns:
        0 after a stop signal, ``STARTUP_FAILURE`` (3) when a worker cannot start the app.
    """
    host, port = options.get("host", "127.0.0.1"), int(options.get("port", 8000))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=int(options.get("backlog", 2048)))
    listener.setblocking(False)
    logger.info("listening on %s:%d, %d workers, connections handed out in turn", host, port, workers)

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS}
    pool = [_start_worker(n, options) for n in range(workers)]
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    turn = 0
    status = 0
    try:
        while not stopping:
            if selector.select(timeout=0.5):
                while True:
                    try:
                        connection, _ = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError as exc:  # e.g. EMFILE: leave it queued, try again on the next round
                        logger.warning("accept failed: %s", exc)
                        break
                    turn = _hand_over(connection, pool, turn)
            failed = _replace_dead(pool, options)
            if failed:
                status = STARTUP_FAILURE
                break
    finally:
        selector.close()
        listener.close()
        _stop_workers(pool, stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _start_worker(number: int, options: dict[str, Any]) -> _Worker:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    command = [sys.executable, "-m", "api.workers", json.dumps(options), str(theirs.fileno())]
    process = subprocess.Popen(command, pass_fds=(theirs.fileno(),))
    theirs.close()
    ours.setblocking(True)
    return _Worker(number, process, ours)


def _hand_over(connection: socket.socket, pool: list[_Worker], turn: int) -> int:
    """Pass ``connection`` to the next live worker (round robin); returns the next turn."""
    with connection:
        # Nagle off, as uvicorn's own accept would set it: small answers go out at once
        if connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for attempt in range(len(pool)):
            worker = pool[(turn + attempt) % len(pool)]
            try:
                socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
            except OSError:  # this worker is gone (it is replaced on the next round): try the next
                continue
            return (turn + attempt + 1) % len(pool)
        logger.error("no worker took a connection; it is closed")
        return turn


def _replace_dead(pool: list[_Worker], options: dict[str, Any]) -> bool:
    """Start a new worker for each one that exited; True when one failed to start the app."""
    for i, worker in enumerate(pool):
        code = worker.process.poll()
        if code is None:
            continue
        worker.channel.close()
        if code == STARTUP_FAILURE:
            logger.error("worker %d could not start the app (exit status %d); stopping", worker.number, code)
            return True
        logger.error("worker %d exited with status %s; starting a new one", worker.number, code)
        if time.monotonic() - worker.started < 1.0:
            time.sleep(1.0)  # a worker that dies at once should not be restarted in a tight loop
        pool[i] = _start_worker(worker.number, options)
    return False


def _stop_workers(pool: list[_Worker], timeout: float) -> None:
    for worker in pool:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for worker in pool:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.error("worker %d did not stop within %.0f s; killing it", worker.number, timeout)
            worker.process.kill()
            worker.process.wait()
        worker.channel.close()


# -------------------------------------------------------------------------------------------- worker


def _run_worker(options: dict[str, Any], channel_fd: int) -> None:
    import uvicorn

    class HandedServer(uvicorn.Server):
        """A uvicorn server that listens on nothing and serves the connections the parent hands it."""

        def __init__(self, config: uvicorn.Config) -> None:
            super().__init__(config)
            self.channel = socket.socket(fileno=channel_fd)
            self.opening: set[asyncio.Task[Any]] = set()  # held, so that no task is collected midway

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])  # no listener of its own
            if self.should_exit:
                return
            self.channel.setblocking(False)
            protocol = functools.partial(
                self.config.http_protocol_class,
                config=self.config,
                server_state=self.server_state,
                app_state=self.lifespan.state,
            )
            loop = asyncio.get_running_loop()
            loop.add_reader(self.channel.fileno(), self._receive, loop, protocol)

        def _receive(self, loop: asyncio.AbstractEventLoop, protocol: Any) -> None:
            while True:
                try:
                    data, fds, _, _ = socket.recv_fds(self.channel, 16, 16)
                except (BlockingIOError, InterruptedError):
                    return
                if not data and not fds:  # the parent is gone: finish what is open, then stop
                    loop.remove_reader(self.channel.fileno())
                    self.should_exit = True
                    return
                for fd in fds:
                    sock = socket.socket(fileno=fd)
                    sock.setblocking(False)
                    task = loop.create_task(loop.connect_accepted_socket(protocol, sock))
                    self.opening.add(task)
                    task.add_done_callback(self.opening.discard)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            try:
                asyncio.get_running_loop().remove_reader(self.channel.fileno())
            except (ValueError, OSError):
                pass
            await super().shutdown(sockets=sockets)

    config = uvicorn.Config(**options)
    HandedServer(config).run()


if __name__ == "__main__":
    _run_worker(json.loads(sys.argv[1]), int(sys.argv[2]))
