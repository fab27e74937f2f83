"""Load test: concurrent clients against the real ``rag serve`` over the loopback.

    .venv/bin/python bench/load.py [--index DIR] [--server rag] [--workers 1,2] [--clients 1,8,32]
                                   [--duration 10] [--warmup 2] [--mode hybrid] [-k 10] [--repeat 1]
                                   [--wait-quiet SECONDS] [--json FILE]

For each worker count, starts ``rag serve --workers N`` on a free port (the index is built first if
needed; ``--server`` runs the same app under gunicorn or uvicorn instead, to compare how each spreads
the connections over its workers) and waits until every worker has started; then, for each client
count, runs that many concurrent clients for ``--duration`` seconds (after ``--warmup`` seconds that
are not counted). Each client holds one keep-alive connection and sends ``POST /search`` with the
gold questions (eval/gold/*.jsonl) in a seeded random order, each client starting elsewhere in the
list, one request after the other (closed loop: a client sends its next request when the answer to
the last one is in).

Reported per level: requests, requests/s, latency p50/p95/p99/max in ms, and errors (any answer other
than 200 with a JSON body holding ``results``, plus connection failures and timeouts). The clients run
in this process on one asyncio loop over raw streams, which costs far less CPU per request than an
HTTP library would: on a 2-core machine the client shares the cores with the server, and what it
spends is shown (cores busy), next to what the server spent (cores, and CPU milliseconds per request)
and what every other process on the machine spent meanwhile: on a shared machine the last one says
how much of the two cores the server actually had.

Issue 7's target: zero errors at every level, and hybrid ``/search`` p95 under 100 ms at 8 clients
with 2 workers on the 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from bench.common import free_port, gold_questions, independent_questions, pct, stop  # noqa: E402

# ------------------------------------------------------------------------------------------- server


SERVERS = ("rag", "gunicorn", "gunicorn-shared", "uvicorn")


def server_command(server: str, port: int, workers: int, log_config: Path) -> list[str]:
    """The command line of one of the servers compared (the same app, settings and logging).

    rag: ``rag serve`` (its own dispatcher with 2+ workers); gunicorn: uvicorn workers under gunicorn
    with ``--reuse-port`` (gunicorn 27 then opens one SO_REUSEPORT socket in each worker: the kernel
    spreads connections); gunicorn-shared: the same without it (one socket the workers inherit);
    uvicorn: ``uvicorn --workers`` (one socket the workers share).
    """
    if server == "rag":
        return [sys.executable, "-m", "rag_cli", "serve", "--port", str(port), "--workers", str(workers)]
    if server.startswith("gunicorn"):
        command = [sys.executable, "-m", "gunicorn", "-k", "uvicorn_worker.UvicornWorker"]
        command += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-config-json", str(log_config)]
        command += ["--graceful-timeout", "10", "--keep-alive", "5"]  # uvicorn's and rag serve's values
        command += ["--no-control-socket"]  # gunicorn 27 opens one at one path per user by default
        return command + (["--reuse-port"] if server == "gunicorn" else []) + ["api.main:create_app()"]
    return [
        *(sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app", "--port", str(port)),
        *("--workers", str(workers), "--log-config", str(log_config), "--no-access-log"),
        *("--no-server-header", "--timeout-graceful-shutdown", "10"),
    ]


def write_log_config(path: Path) -> Path:
    """rag serve's logging setup (one line per request from ``api.access``), for the other servers."""
    sys.path.insert(0, str(REPO_ROOT))
    from rag_cli.main import _serve_log_config

    config = _serve_log_config(quiet=False)
    # gunicorn's own messages, and the root logger gunicorn insists on configuring
    config["loggers"]["gunicorn.error"] = {"handlers": ["stderr"], "level": "INFO", "propagate": False}  # type: ignore[index]
    config["root"] = {"handlers": ["stderr"], "level": "WARNING"}
    path.write_text(json.dumps(config))
    return path


def start_server(
    server: str, port: int, index: str | None, workers: int, log: Path, timeout: float = 600
) -> subprocess.Popen:
    """The server in its own process group; returns once all ``workers`` have finished starting.

    The settings reach the app as ``rag serve`` passes them: ``RAG_*`` environment variables.
    """
    command = server_command(server, port, workers, log.with_suffix(".logging.json"))
    if index and server == "rag":
        command += ["--index", index]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TQDM_DISABLE": "1", "PYTHONPATH": str(REPO_ROOT)}
    env |= {"RAG_PORT": str(port), "RAG_WORKERS": str(workers)}
    if index:
        env["RAG_INDEX_DIR"] = os.path.abspath(index)
    with log.open("w") as fh:
        process = subprocess.Popen(
            command, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT, start_new_session=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{server} exited with {process.returncode}:\n{log.read_text()}")
        # uvicorn logs this once per worker, after the lifespan (index loading) is done
        if log.read_text(errors="replace").count("Application startup complete") >= workers:
            return process
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"{server} did not start within {timeout:.0f} s:\n{log.read_text()}")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        out += [child, *_descendants(child)]
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0.0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants (rag serve and its workers)."""
    return sum(cpu_seconds(p) for p in [pid, *_descendants(pid)])


def worker_pids(server: int) -> list[int]:
    """The worker processes: the server's descendants (rag serve's, uvicorn's or the gunicorn master's)
    but multiprocessing's helper; with one worker, the server process itself does the work."""
    workers = [p for p in _descendants(server) if "resource_tracker" not in _cmdline(p)]
    return workers or [server]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def connections_per_worker(server: int, port: int) -> list[int]:
    """Established client connections each worker holds on ``port`` (from /proc: socket inodes per fd)."""
    established: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            # local address "0100007F:1F90", state 01 = ESTABLISHED, inode in column 10
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                established.add(fields[9])
    counts = []
    for pid in worker_pids(server):
        inodes = set()
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            pass
        counts.append(len(inodes & established))
    return counts


def machine_busy_seconds() -> float:
    """CPU seconds spent by everything on the machine (all cores together), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(server: int, limit: float, threshold: float = 0.3) -> float:
    """Wait until the rest of the machine uses under ``threshold`` cores (1 s samples); returns that use."""
    deadline = time.monotonic() + limit
    while True:
        busy, served, began = machine_busy_seconds(), tree_cpu_seconds(server), time.perf_counter()
        time.sleep(1.0)
        others = (machine_busy_seconds() - busy - (tree_cpu_seconds(server) - served)) / (
            time.perf_counter() - began
        )
        if others < threshold or time.monotonic() > deadline:
            return others


# ------------------------------------------------------------------------------------------- client


@dataclass
class Level:
    server: str
    workers: int
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    client_cpu: float = 0.0  # cores used by this client process
    server_cpu: float = 0.0  # cores used by rag serve and its workers
    other_cpu: float = 0.0  # cores used by everything else on the machine meanwhile
    server_ms_per_request: float = 0.0  # server CPU time per answered request
    worker_cpu: list[float] = field(default_factory=list)  # cores used by each worker process
    worker_connections: list[int] = field(default_factory=list)  # client connections each worker holds
    error_kinds: dict[str, int] = field(default_factory=dict)
    load_before: float = 0.0  # the machine's 1-minute load average when the level began


_STATUS = re.compile(rb"HTTP/1\.1 (\d{3})")


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a keep-alive connection; the server answers with Content-Length."""
    writer.write(payload)
    head = await reader.readuntil(b"\r\n\r\n")
    match = _STATUS.match(head)
    status = int(match.group(1)) if match else 0
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


def _payload(port: int, question: str, k: int, mode: str) -> bytes:
    body = json.dumps({"query": question, "k": k, "mode": mode}).encode()
    return (
        f"POST /search HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _client(
    port: int,
    payloads: list[bytes],
    start: int,
    record_from: float,
    stop_at: float,
    latencies: list[float],
    errors: dict[str, int],
) -> None:
    reader = writer = None
    i = start
    while time.perf_counter() < stop_at:
        payload = payloads[i % len(payloads)]
        i += 1
        began = time.perf_counter()
        problem = None
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
            status, body = await asyncio.wait_for(_request(reader, writer, payload), 30)
            if status != 200:
                problem = f"HTTP {status}"
            elif b'"results"' not in body:
                problem = "200 without results"
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as exc:
            problem = type(exc).__name__
            if writer is not None:
                writer.close()
            reader = writer = None
        ended = time.perf_counter()
        if began >= record_from:
            latencies.append(1000 * (ended - began))
            if problem is not None:
                errors[problem] = errors.get(problem, 0) + 1
    if writer is not None:
        writer.close()


async def _run_level(
    server: int, port: int, payloads: list[bytes], clients: int, warmup: float, duration: float
) -> tuple[list[float], dict[str, int], float, list[int]]:
    now = time.perf_counter()
    record_from, stop_at = now + warmup, now + warmup + duration
    latencies: list[float] = []
    errors: dict[str, int] = {}
    spacing = max(1, len(payloads) // clients)
    spread: list[int] = []

    async def sample_connections() -> None:
        # once the warm-up is over every client holds its connection
        await asyncio.sleep(max(0.0, record_from - time.perf_counter()))
        spread.extend(connections_per_worker(server, port))

    await asyncio.gather(
        sample_connections(),
        *(
            _client(port, payloads, c * spacing, record_from, stop_at, latencies, errors)
            for c in range(clients)
        ),
    )
    # requests that began in the measured window; the window ends when the last of them is answered
    return latencies, errors, max(time.perf_counter(), stop_at) - record_from, spread


def run_level(
    kind: str,
    server: int,
    port: int,
    payloads: list[bytes],
    workers: int,
    clients: int,
    warmup: float,
    duration: float,
) -> Level:
    """One level; CPU use is counted over the whole of it, warm-up included."""
    load = os.getloadavg()[0]
    cpu_before, server_before = time.process_time(), tree_cpu_seconds(server)
    workers_before = {pid: cpu_seconds(pid) for pid in worker_pids(server)}
    busy_before, wall_before = machine_busy_seconds(), time.perf_counter()
    latencies, errors, seconds, spread = asyncio.run(
        _run_level(server, port, payloads, clients, warmup, duration)
    )
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    server_cpu = tree_cpu_seconds(server) - server_before
    per_worker = [cpu_seconds(pid) - before for pid, before in workers_before.items()]
    other = machine_busy_seconds() - busy_before - server_cpu - cpu
    answered = len(latencies) * (warmup + seconds) / seconds  # the warm-up's requests, estimated
    return Level(
        server=kind,
        workers=workers,
        clients=clients,
        seconds=round(seconds, 2),
        requests=len(latencies),
        errors=sum(errors.values()),
        rps=round(len(latencies) / seconds, 1),
        p50=round(pct(latencies, 0.50), 1),
        p95=round(pct(latencies, 0.95), 1),
        p99=round(pct(latencies, 0.99), 1),
        max=round(max(latencies, default=0.0), 1),
        client_cpu=round(cpu / wall, 2),
        server_cpu=round(server_cpu / wall, 2),
        other_cpu=round(max(0.0, other) / wall, 2),
        server_ms_per_request=round(1000 * server_cpu / max(1.0, answered), 1),
        worker_cpu=[round(c / wall, 2) for c in per_worker],  # in worker_pids order, as the connections
        worker_connections=spread,
        error_kinds=errors,
        load_before=round(load, 2),
    )


# --------------------------------------------------------------------------------------------- main


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="rag",
        help="rag: rag serve (its own dispatcher); gunicorn: gunicorn's uvicorn workers with --reuse-port; "
        "gunicorn-shared: without it; uvicorn: uvicorn --workers",
    )
    parser.add_argument("--workers", type=_ints, default=[1, 2], help="worker counts, comma-separated")
    parser.add_argument("--clients", type=_ints, default=[1, 8, 32], help="client counts, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds before each level")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "bm25", "dense"])
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7, help="order of the questions")
    parser.add_argument(
        "--questions",
        choices=["gold", "independent"],
        default="gold",
        help="gold: eval/gold's seed splits; independent: bench/data/independent_questions.txt",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each level this many times (new connections each time)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each level, wait up to this long for other processes to use under 0.3 cores "
        "(on a shared machine; the level runs anyway after that)",
    )
    args = parser.parse_args()

    questions = independent_questions() if args.questions == "independent" else gold_questions()
    random.Random(args.seed).shuffle(questions)
    load_before = os.getloadavg()
    levels: list[Level] = []
    if args.server != "rag":  # rag serve builds the index first when needed; so does this
        build = [sys.executable, "-m", "rag_cli", "build"] + (["--index", args.index] if args.index else [])
        subprocess.run(build, cwd=REPO_ROOT, check=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    for workers in args.workers:
        port = free_port()
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-load-{port}.log"
        write_log_config(log.with_suffix(".logging.json"))
        process = start_server(args.server, port, args.index, workers, log)
        try:
            payloads = [_payload(port, q, args.k, args.mode) for q in questions]
            for clients in [c for c in args.clients for _ in range(max(1, args.repeat))]:
                if args.wait_quiet:
                    wait_for_quiet(process.pid, args.wait_quiet)
                level = run_level(
                    args.server, process.pid, port, payloads, workers, clients, args.warmup, args.duration
                )
                levels.append(level)
                print(
                    f"{args.server}: workers {workers}, clients {clients:>2}: {level.rps:7.1f} req/s, "
                    f"p50 {level.p50:6.1f} ms, p95 {level.p95:6.1f} ms, p99 {level.p99:6.1f} ms, "
                    f"errors {level.errors}, connections per worker {level.worker_connections}, "
                    f"server CPU {level.server_ms_per_request:.1f} ms/req, load {level.load_before:.2f}",
                    flush=True,
                )
        finally:
            stop(process)
        if process.returncode not in (0, -signal.SIGTERM):
            print(f"{args.server} exited with {process.returncode}; see {log}", file=sys.stderr)

    print()
    print(
        f"{args.server}: POST /search mode={args.mode} k={args.k}, "
        f"{len(questions)} {args.questions} questions, "
        f"{args.duration:g} s per level after {args.warmup:g} s warm-up; {os.cpu_count()} CPUs, "
        f"load average before {load_before[0]:.2f}"
    )
    print(
        "| workers | clients | load | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| server CPU ms/req | cores: server (per worker) / client / others | connections per worker |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for lv in levels:
        split = " + ".join(f"{c:.2f}" for c in lv.worker_cpu)
        print(
            f"| {lv.workers} | {lv.clients} | {lv.load_before:.2f} | {lv.requests} | {lv.rps:.1f} | "
            f"{lv.p50:.1f} | {lv.p95:.1f} | "
            f"{lv.p99:.1f} | {lv.max:.1f} | {lv.errors} | {lv.server_ms_per_request:.1f} | "
            f"{lv.server_cpu:.2f} ({split}) / {lv.client_cpu:.2f} / {lv.other_cpu:.2f} | "
            f"{' + '.join(map(str, lv.worker_connections))} |"
        )
    for lv in levels:
        if lv.error_kinds:
            print(f"errors at {lv.workers} worker(s), {lv.clients} clients: {lv.error_kinds}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "date": datetime.now(UTC).isoformat(timespec="seconds"),
                    "server": args.server,
                    "cpus": os.cpu_count(),
                    "load_before": load_before,
                    "mode": args.mode,
                    "k": args.k,
                    "levels": [asdict(lv) for lv in levels],
                },
                indent=2,
            )
        )
    return 1 if any(lv.errors for lv in levels) else 0


if __name__ == "__main__":
    sys.exit(main())
