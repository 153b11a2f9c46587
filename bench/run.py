"""Load benchmark: requests/s of /healthz and of slide pages under gunicorn, and SQL per slide page.

Runs on 127.0.0.1 only, in a throwaway instance directory, and is bounded in time (< 90 s).
`make bench` or `.venv/bin/python bench/run.py [--duration 5] [--rounds 3] [--python]`.
See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST = "127.0.0.1"
BUDGET_S = 85.0  # the whole run stays under 90 s; measurements that would overrun are skipped
LONG_LESSON = "nl-l1"
SLIDE = 3
MAX_STATEMENTS = 3
WRK = "/usr/bin/wrk"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STARTED = time.monotonic()

if str(ROOT) not in sys.path:  # `python bench/run.py` puts bench/ first on the path, not the repo
    sys.path.insert(0, str(ROOT))

# wrk counts only 4xx/5xx as errors; a redirect to /login would look like success. This script
# counts every status that is not 200 and reports latency percentiles in a parseable line.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not200 = 0 end
function response(status, headers, body) if status ~= 200 then not200 = not200 + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not200") end
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d not200=%d sockerr=%d p50_us=%d p95_us=%d\\n",
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


class BenchError(RuntimeError):
    """The benchmark could not run (setup, server or login failed)."""


@dataclass
class Target:
    label: str
    path: str
    cookie: str | None = None
    runs: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    @property
    def errors(self) -> int:
        return sum(r["errors"] for r in self.runs)


def remaining() -> float:
    return BUDGET_S - (time.monotonic() - STARTED)


def venv_bin() -> Path:
    candidate = ROOT / ".venv" / "bin"
    return candidate if (candidate / "flask").exists() else Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_env(instance: Path, secret: str) -> dict[str, str]:
    """The environment of every child process: the throwaway instance, never the developer's."""
    env = dict(os.environ)
    for name in ("FLASK_DEBUG", "FLASK_RUN_PORT", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    env.update({
        "FLASK_APP": "wsgi",
        "LESMARK_INSTANCE": str(instance),
        "LESMARK_CONTENT": str(ROOT),
        "LESMARK_ENV": "development",
        "DATABASE_URL": f"sqlite:///{instance / 'lesmark.sqlite'}",  # never a DATABASE_URL from the shell
        "SECRET_KEY": secret,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def prepare_instance(env: dict[str, str]) -> None:
    flask = str(venv_bin() / "flask")
    for args in (["db", "upgrade"], ["content", "sync"], ["demo"]):
        done = subprocess.run([flask, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=max(5.0, min(30.0, remaining())))
        if done.returncode != 0:
            raise BenchError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


# --- in-process: SQL statements per slide page -------------------------------------------------

def lesson_facts(app) -> dict[str, dict]:
    """slug -> screen count and the kind of the measured slide, from the throwaway database."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Lesson, Screen

    with app.app_context():
        rows = db.session.execute(select(Lesson.slug, Lesson.screen_count, Screen.kind)
                                  .outerjoin(Screen, (Screen.lesson_id == Lesson.id) & (Screen.position == SLIDE))
                                  .where(Lesson.retired.is_(False))).all()
        first_question = dict(db.session.execute(
            select(Lesson.slug, Screen.position).join(Screen, Screen.lesson_id == Lesson.id)
            .where(Screen.kind == "question").order_by(Screen.position.desc())).all())  # last wins: smallest
    return {slug: {"screens": count, "kind": kind, "question": first_question.get(slug)}
            for slug, count, kind in rows}


def in_process_ms(client, path: str, batches: int = 5, size: int = 30) -> float:
    """Median time of one request through the test client (no network, one thread), in ms."""
    times = []
    for _ in range(batches):
        began = time.perf_counter()
        for _ in range(size):
            client.get(path)
        times.append((time.perf_counter() - began) / size * 1000)
    return statistics.median(times)


def count_sql(instance: Path, secret: str, username: str, password: str) -> tuple[list[dict], dict]:
    from app import create_app
    from app.database import count_statements
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'lesmark.sqlite'}",
                      "INSTANCE_PATH": instance, "CONTENT_ROOT": ROOT, "SECRET_KEY": secret,
                      "ENV_NAME": "development", "DEBUG": False, "TESTING": True,
                      "RATELIMIT_ENABLED": False})
    facts = lesson_facts(app)
    if LONG_LESSON not in facts:
        raise BenchError(f"lesson {LONG_LESSON} is not in the database after `flask content sync`")
    short = min((s for s in facts if facts[s]["screens"] >= SLIDE), key=lambda s: (facts[s]["screens"], s))
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True))
    if not token:
        raise BenchError("no csrf_token on /login (in-process)")
    login = client.post("/login", data={"csrf_token": token.group(1), "username": username,
                                        "password": password})
    if login.status_code != 303:
        raise BenchError(f"in-process login failed: {login.status_code}")
    with app.app_context():
        engine = db.engine
    pages = [(LONG_LESSON, SLIDE), (short, SLIDE)]
    if facts[LONG_LESSON]["question"]:
        pages.append((LONG_LESSON, facts[LONG_LESSON]["question"]))
    results = []
    for slug, position in pages:
        path = f"/lessons/{slug}/slides/{position}"
        client.get(path)  # first visit inserts the progress row; measure the steady state
        with count_statements(engine) as statements:
            response = client.get(path)
        kind = "question" if position != SLIDE else facts[slug]["kind"]
        results.append({"path": path, "slug": slug, "screens": facts[slug]["screens"], "kind": kind,
                        "status": response.status_code, "count": len(statements),
                        "bytes": len(response.data), "statements": list(statements),
                        "ms": in_process_ms(client, path)})
    results.append({"path": "/healthz", "slug": None, "screens": None, "kind": "health check",
                    "status": 200, "count": None, "bytes": None, "statements": [],
                    "ms": in_process_ms(client, "/healthz")})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results, {"short": short, "facts": facts}


# --- gunicorn -----------------------------------------------------------------------------------

class Server:
    def __init__(self, env: dict[str, str], port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(venv_bin() / "gunicorn"), "-w", "2", "-k", "sync", "-b", f"{HOST}:{self.port}",
             "--log-level", "warning", "--graceful-timeout", "3", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)  # Ctrl+C in the terminal does not reach it; stop() does
        deadline = time.monotonic() + min(20.0, max(remaining(), 1.0))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _h, _b = request(self.port, "GET", "/healthz", timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"gunicorn did not answer /healthz within 20 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the arbiter and its two workers, nothing else
            self.proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass
        finally:
            self.log.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def problems(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if re.search(r"Traceback|ERROR|locked|CRITICAL", line)]


def request(port: int, method: str, path: str, body: str | None = None,
            headers: dict | None = None, timeout: float = 5) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def session_cookie(headers: http.client.HTTPMessage, previous: str | None = None) -> str | None:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return f"session={jar['session'].value}" if "session" in jar else previous


def log_in(port: int, username: str, password: str) -> str:
    status, headers, body = request(port, "GET", "/login")
    token = CSRF_FIELD.search(body.decode("utf-8", "replace"))
    cookie = session_cookie(headers)
    if status != 200 or not token or not cookie:
        raise BenchError(f"GET /login: status {status}, csrf token {'found' if token else 'missing'}, "
                         f"session cookie {'set' if cookie else 'missing'}")
    form = urlencode({"csrf_token": token.group(1), "username": username, "password": password})
    status, headers, _body = request(port, "POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    cookie = session_cookie(headers, cookie)
    if status != 303:
        raise BenchError(f"POST /login as {username}: expected 303, got {status}")
    return cookie


# --- load generators ----------------------------------------------------------------------------

def run_wrk(port: int, target: Target, duration: float, script: Path, threads: int, connections: int) -> dict:
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "-s", str(script)]
    if target.cookie:
        command += ["-H", f"Cookie: {target.cookie}"]
    command.append(f"http://{HOST}:{port}{target.path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 15)
    match = re.search(r"BENCH requests=(\d+) duration_us=(\d+) not200=(\d+) sockerr=(\d+) "
                      r"p50_us=(\d+) p95_us=(\d+)", done.stdout)
    if done.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    requests, duration_us, not200, sockerr, p50, p95 = (int(g) for g in match.groups())
    return {"rps": requests / (duration_us / 1e6), "requests": requests, "errors": not200 + sockerr,
            "p50_ms": p50 / 1000, "p95_ms": p95 / 1000}


def run_python(port: int, target: Target, duration: float, threads: int) -> dict:
    """Threads with keep-alive http.client connections (reopened when gunicorn closes them)."""
    headers = {"Cookie": target.cookie} if target.cookie else {}
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    start_line = threading.Barrier(threads + 1)
    deadline: list[float] = []

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        start_line.wait()
        mine, end = latencies[index], deadline[0]
        while (t0 := time.perf_counter()) < end:
            try:
                conn.request("GET", target.path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    began = time.perf_counter()
    deadline.append(began + duration)
    start_line.wait()
    for thread in pool:
        thread.join(timeout=duration + 15)
    elapsed = time.perf_counter() - began
    every = sorted(x for per_thread in latencies for x in per_thread)
    if not every:
        return {"rps": 0.0, "requests": 0, "errors": sum(errors) or 1, "p50_ms": None, "p95_ms": None}
    return {"rps": len(every) / elapsed, "requests": len(every), "errors": sum(errors),
            "p50_ms": every[len(every) // 2] * 1000, "p95_ms": every[min(len(every) - 1, int(len(every) * 0.95))] * 1000}


# --- report -------------------------------------------------------------------------------------

def fmt(value: float | None, pattern: str = "{:,.0f}") -> str:
    return "–" if value is None else pattern.format(value)


def round_ratios(target: Target, base: Target) -> list[float]:
    """target req/s divided by /healthz req/s of the same round: robust to load that drifts."""
    base_by_round = {r["round"]: r["rps"] for r in base.runs if r["rps"]}
    return [r["rps"] / base_by_round[r["round"]] for r in target.runs if r["round"] in base_by_round]


def report(args, tool: str, targets: list[Target], sql: list[dict], skipped: int, problems: list[str]) -> str:
    base = targets[0]
    lines = [f"# Lesmark load benchmark — {date.today().isoformat()}", "",
             f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}; "
             f"gunicorn -w 2 -k sync on {HOST}, SQLite (WAL) in a throwaway instance; {tool}; "
             f"{args.rounds} interleaved round(s) of {args.duration:g} s per endpoint, median shown.", "",
             "| Endpoint | req/s (median) | runs (req/s) | p50 ms | p95 ms | vs /healthz (per round) | non-200 |",
             "|---|---:|---|---:|---:|---|---:|"]
    for target in targets:
        ratios = round_ratios(target, base)
        ratio = (f"**{statistics.median(ratios):.2f}** ({', '.join(f'{r:.2f}' for r in ratios)})"
                 if ratios else "–")
        runs = ", ".join(f"{r['rps']:,.0f}" for r in target.runs) or "–"
        lines.append(f"| {target.label} | {fmt(target.median('rps'))} | {runs} | "
                     f"{fmt(target.median('p50_ms'), '{:.1f}')} | {fmt(target.median('p95_ms'), '{:.1f}')} | "
                     f"{ratio} | {target.errors} |")
    if len(targets) >= 3:
        long_short = round_ratios(targets[1], targets[2])
        if long_short:
            lines += ["", f"Long / short lesson slide (per round): **{statistics.median(long_short):.2f}** "
                          f"({', '.join(f'{r:.2f}' for r in long_short)}); ≈ 1.00 means the page cost "
                          "does not grow with the lesson."]
    lines += ["", "| In-process, logged in (test client, 2nd visit) | screens | kind | HTML bytes | "
                  "SQL statements | ms/request |",
              "|---|---:|---|---:|---:|---:|"]
    for row in sql:
        count = "–" if row["count"] is None else f"{row['count']}{'' if row['count'] <= MAX_STATEMENTS else ' ✗'}"
        lines.append(f"| GET {row['path']} | {fmt(row['screens'])} | {row['kind']} | {fmt(row['bytes'])} | "
                     f"{count} | {row['ms']:.2f} |")
    counted = {row["count"] for row in sql if row["count"] is not None}
    lines += ["", f"Target: ≤ {MAX_STATEMENTS} SQL statements per slide page whatever the lesson length"
                  f" ({'same count on every page' if len(counted) == 1 else 'NOTE: counts differ between pages'})."]
    if skipped:
        lines.append(f"NOTE: {skipped} measurement(s) skipped to stay within the {BUDGET_S:.0f} s budget.")
    if problems:
        lines += ["", "gunicorn log problems:", "", *[f"    {p}" for p in problems[:10]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--python", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--threads", type=int, default=8, help="threads of the Python generator (default 8)")
    parser.add_argument("--show-sql", action="store_true", help="print the counted SQL statements")
    args = parser.parse_args(argv)

    from app.cli import DEMO_ACCOUNTS

    username, _name, password, _role = next(a for a in DEMO_ACCOUNTS if a[3] == "student")
    use_wrk = not args.python and Path(WRK).exists()
    tool = "wrk -t2 -c16" if use_wrk else f"Python http.client, {args.threads} threads"
    secret = secrets.token_hex(32)
    tmp = Path(tempfile.mkdtemp(prefix="lesmark-bench-"))
    env = bench_env(tmp, secret)
    server = Server(env, free_port(), tmp / "gunicorn.log")
    # Ctrl+C raises KeyboardInterrupt even if the shell started us with SIGINT ignored; a plain
    # kill (SIGTERM) exits through the same finally: so gunicorn is always stopped.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        print(f"instance {tmp}: migrate, sync content, demo accounts…", flush=True)
        prepare_instance(env)
        sql, meta = count_sql(tmp, secret, username, password)
        if args.show_sql:
            for row in (r for r in sql if r["count"] is not None):
                print(f"{row['path']}:", *[f"  {s}" for s in row["statements"]], sep="\n")
        short = meta["short"]
        print(f"gunicorn on {HOST}:{server.port}…", flush=True)
        server.start()
        cookie = log_in(server.port, username, password)
        targets = [Target("GET /healthz", "/healthz"),
                   Target(f"GET /lessons/{LONG_LESSON}/slides/{SLIDE} (long, "
                          f"{meta['facts'][LONG_LESSON]['screens']} screens)",
                          f"/lessons/{LONG_LESSON}/slides/{SLIDE}", cookie),
                   Target(f"GET /lessons/{short}/slides/{SLIDE} (short, {meta['facts'][short]['screens']} screens)",
                          f"/lessons/{short}/slides/{SLIDE}", cookie)]
        for target in targets:  # logged in and 200 before any load, and a short warm-up
            status, _headers, _body = request(server.port, "GET", target.path,
                                              headers={"Cookie": target.cookie} if target.cookie else {})
            if status != 200:
                raise BenchError(f"{target.path} answered {status} before the load (cookie not accepted?)")
        script = tmp / "count.lua"
        script.write_text(WRK_SCRIPT)

        def measure(target: Target, duration: float) -> dict:
            if use_wrk:
                return run_wrk(server.port, target, duration, script, threads=2, connections=16)
            return run_python(server.port, target, duration, args.threads)

        for target in targets:
            measure(target, 1)
        skipped = 0
        for round_no in range(1, args.rounds + 1):
            for target in targets:
                if remaining() < args.duration + 8:
                    skipped += 1
                    continue
                result = measure(target, args.duration)
                result["round"] = round_no
                target.runs.append(result)
                print(f"  round {round_no}: {target.path:32} {result['rps']:8,.0f} req/s"
                      f"  p50 {fmt(result['p50_ms'], '{:.1f}')} ms  non-200 {result['errors']}", flush=True)
        server.stop()
        problems = server.problems()
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
        shutil.rmtree(tmp, ignore_errors=True)

    text = report(args, tool, targets, sql, skipped, problems)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.md").write_text(text)
    print()
    print(text)
    print(f"written to {(OUT / 'latest.md').relative_to(ROOT)} in {time.monotonic() - STARTED:.0f} s")
    failed = []
    if any((row["count"] or 0) > MAX_STATEMENTS or row["status"] != 200 for row in sql):
        failed.append(f"a slide page issued more than {MAX_STATEMENTS} SQL statements (or was not 200)")
    if any(t.errors for t in targets):
        failed.append("some responses were not 200")
    if any(not t.runs for t in targets):
        failed.append("an endpoint was not measured")
    for reason in failed:
        print(f"FAIL: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped", file=sys.stderr)
        sys.exit(130)
