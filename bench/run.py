"""Load benchmark: Lesmark's pages against a bare Flask "hello" app, under the same gunicorn settings.

Measures, in one run on 127.0.0.1, bounded in time (< 3 minutes): a minimal Flask app (the
baseline), /healthz, slide pages, final-quiz submissions (every answer graded and stored) on SQLite
and on a throwaway PostgreSQL, and the gradebook, heat map and progress pages for classes of 30,
300 and 3,000 students; it counts the SQL statements of each page in-process and checks that no
submission was lost. `make bench` or `.venv/bin/python bench/run.py [--duration 3] [--rounds 3]`.
See bench/README.md for what the figures mean.
"""

from __future__ import annotations

import argparse
import http.client
import math
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
BUDGET_S = 175.0  # the whole run stays under 3 minutes; measurements that would overrun are skipped
LONG_LESSON = "nl-l1"
SLIDE = 3
MAX_STATEMENTS = 2
CLASS_SIZES = (30, 300, 3000)
SUBMISSIONS = 14000  # prepared open final quizzes per database: one per submit request
WRK = "/usr/bin/wrk"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STARTED = time.monotonic()

if str(ROOT) not in sys.path:  # `python bench/run.py` puts bench/ first on the path, not the repo
    sys.path.insert(0, str(ROOT))

# wrk counts only 4xx/5xx as errors; a redirect to /login would look like success. This script
# counts every status that is not 200 and reports latency percentiles in a parseable line.
WRK_DONE = """
function done(summary, latency, requests)
  local bad, wrapped = 0, 0
  for _, t in ipairs(threads) do bad = bad + t:get("bad"); wrapped = wrapped + (t:get("wrapped") or 0) end
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d bad=%d sockerr=%d p50_us=%d p95_us=%d wrapped=%d\\n",
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), wrapped))
end
"""
WRK_SCRIPT = """
threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
""" + WRK_DONE
# Submissions: every request hands in another prepared attempt (a file of path, cookie, body lines,
# split between the threads). Success is a 303 to the result (`#result`); handing in an attempt
# twice redirects without it, so running out of prepared attempts shows up as errors, never as speed.
WRK_SUBMIT = """
threads = {}
local count = 0
function setup(thread) thread:set("index", count); count = count + 1; table.insert(threads, thread) end
function init(args)
  bad, wrapped, pos, reqs = 0, 0, 0, {}
  local n, every = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if n % every == index then
      local path, cookie, body = line:match("^([^\\t]*)\\t([^\\t]*)\\t(.*)$")
      table.insert(reqs, wrk.format("POST", path, {["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded"}, body))
    end
    n = n + 1
  end
end
function request()
  pos = pos + 1
  if pos > #reqs then pos, wrapped = 1, wrapped + 1 end
  return reqs[pos]
end
function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status ~= 303 or not location:find("#result", 1, true) then bad = bad + 1 end
end
""" + WRK_DONE


class BenchError(RuntimeError):
    """The benchmark could not run (setup, server or login failed)."""


@dataclass
class Target:
    label: str
    path: str
    cookie: str | None = None
    port: int = 0
    # prepared submissions (POST each once) instead of one GET repeated
    submissions: list | None = None
    # open connections of the load generator: 16 over 2 workers, 2 for pages of a second or more
    connections: int = 16
    runs: list[dict] = field(default_factory=list)
    warm_up: dict | None = None

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    @property
    def errors(self) -> int:
        return sum(r["errors"] for r in self.runs)

    @property
    def successes(self) -> int:
        """Requests answered as expected, the warm-up's included (submissions: each one stored)."""
        return sum(r["requests"] - r["errors"] for r in [*self.runs, *([self.warm_up] if self.warm_up else [])])

    def next_batch(self, rounds_left: int, cap: int | None = None) -> list:
        """An unused share of the prepared submissions for one measurement."""
        share = math.ceil(len(self.submissions) / max(rounds_left, 1))
        share = min(share, cap) if cap else share
        batch, self.submissions[:] = self.submissions[:share], self.submissions[share:]
        return batch


def remaining() -> float:
    return BUDGET_S - (time.monotonic() - STARTED)


def venv_bin() -> Path:
    candidate = ROOT / ".venv" / "bin"
    return candidate if (candidate / "flask").exists() else Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_env(instance: Path, secret: str, database_url: str | None = None) -> dict[str, str]:
    """The environment of every child process: the throwaway instance, never the developer's."""
    env = dict(os.environ)
    for name in ("FLASK_DEBUG", "FLASK_RUN_PORT", "GUNICORN_CMD_ARGS"):
        env.pop(name, None)
    env.update({
        "FLASK_APP": "wsgi",
        "LESMARK_INSTANCE": str(instance),
        "LESMARK_CONTENT": str(ROOT),
        "LESMARK_ENV": "development",
        # never a DATABASE_URL from the shell
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'lesmark.sqlite'}",
        "SECRET_KEY": secret,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def prepare_instance(env: dict[str, str]) -> None:
    flask = str(venv_bin() / "flask")
    for args in (["db", "upgrade"], ["content", "sync"], ["demo"]):
        try:
            done = subprocess.run([flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"flask {' '.join(args)} took more than 2 minutes") from exc
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


def bench_app(env: dict[str, str]):
    """The app in this process, on the bench's database (seeding, SQL counts, the audit)."""
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "INSTANCE_PATH": Path(env["LESMARK_INSTANCE"]),
                       "CONTENT_ROOT": ROOT, "SECRET_KEY": env["SECRET_KEY"], "ENV_NAME": "development",
                       "DEBUG": False, "TESTING": True, "RATELIMIT_ENABLED": False, "LOG_REQUESTS": False})


def logged_in_client(app, cookie: str):
    client = app.test_client()
    name, _, value = cookie.partition("=")
    client.set_cookie(name, value)
    return client


def count_page(app, client, path: str, method: str = "GET", **kwargs) -> tuple[int, list[str], int]:
    """(status, SQL statements, HTML bytes) of one request."""
    from app.database import count_statements
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        response = client.open(path, method=method, **kwargs)
    return response.status_code, list(statements), len(response.data)


def logged_in_test_client(app, username: str, password: str):
    """A test client logged in through the login form (in-process)."""
    client = app.test_client()
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True))
    if not token:
        raise BenchError("no csrf_token on /login (in-process)")
    login = client.post("/login", data={"csrf_token": token.group(1), "username": username,
                                        "password": password})
    if login.status_code != 303:
        raise BenchError(f"in-process login failed: {login.status_code}")
    return client


def count_sql(app, username: str, password: str) -> tuple[list[dict], dict]:
    facts = lesson_facts(app)
    if LONG_LESSON not in facts:
        raise BenchError(f"lesson {LONG_LESSON} is not in the database after `flask content sync`")
    short = min((s for s in facts if facts[s]["screens"] >= SLIDE), key=lambda s: (facts[s]["screens"], s))
    client = logged_in_test_client(app, username, password)
    pages = [(LONG_LESSON, SLIDE), (short, SLIDE)]
    if facts[LONG_LESSON]["question"]:
        pages.append((LONG_LESSON, facts[LONG_LESSON]["question"]))
    results = []
    for slug, position in pages:
        path = f"/lessons/{slug}/slides/{position}"
        client.get(path)  # first visit stores the reading position; measure the steady state (a reload)
        status, statements, size = count_page(app, client, path)
        kind = "question" if position != SLIDE else facts[slug]["kind"]
        results.append({"path": path, "slug": slug, "screens": facts[slug]["screens"], "kind": kind,
                        "status": status, "count": len(statements), "bytes": size, "statements": statements,
                        "ms": in_process_ms(client, path)})
    # Moving on to another slide also writes the new reading position (one upsert). The first view
    # of a slide in a process also loads the slide in full, its text and the course glossary to
    # render it (then kept, app/views/fragments.py): both are counted, the move back to a kept
    # slide against the limit.
    for path, kind, limit in ((f"/lessons/{LONG_LESSON}/slides/{SLIDE + 1}",
                               "next slide, first view in this process (writes position, renders)",
                               MAX_STATEMENTS + 3),
                              (f"/lessons/{LONG_LESSON}/slides/{SLIDE}", "back to a kept slide (writes position)",
                               MAX_STATEMENTS)):
        status, statements, size = count_page(app, client, path)
        results.append({"path": path, "slug": LONG_LESSON, "screens": facts[LONG_LESSON]["screens"], "kind": kind,
                         "status": status, "count": len(statements), "bytes": size, "statements": statements,
                         "ms": None, "limit": limit})
    results.append({"path": "/healthz", "slug": None, "screens": None, "kind": "health check",
                    "status": 200, "count": None, "bytes": None, "statements": [],
                    "ms": in_process_ms(client, "/healthz")})
    return results, {"short": short, "facts": facts}


def release(app) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- gunicorn -----------------------------------------------------------------------------------

class Server:
    """gunicorn with the project's gunicorn.conf.py (control socket off) and 2 sync workers."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path, app: str = "wsgi:app",
                 health: str = "/healthz"):
        self.env, self.port, self.log_path, self.app, self.health = env, port, log_path, app, health
        self.proc: subprocess.Popen | None = None
        self.log = None

    def start(self) -> None:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(venv_bin() / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2", "-k", "sync",
             "-b", f"{HOST}:{self.port}", "--log-level", "warning", "--graceful-timeout", "3",
             "--max-requests", "0", self.app],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)  # Ctrl+C in the terminal does not reach it; stop() does
        deadline = time.monotonic() + min(20.0, max(remaining(), 1.0))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _h, _b = request(self.port, "GET", self.health, timeout=1)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"gunicorn did not answer {self.health} within 20 s:\n{self.log_tail()}")

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
            if self.log:
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
    # The first page after logging in adds the form token to the session cookie. A browser keeps the
    # new cookie; the load generator replays one cookie, so it must be the one a browser would hold
    # (else every request would change the session again and pay for a new cookie).
    status, headers, _body = request(port, "GET", "/", headers={"Cookie": cookie})
    if status != 200:
        raise BenchError(f"GET / after logging in as {username}: {status}")
    return session_cookie(headers, cookie)


# --- load generators ----------------------------------------------------------------------------

def run_wrk(target: Target, duration: float, script: Path, batch_file: Path | None = None) -> dict:
    threads = min(2, target.connections)
    command = [WRK, f"-t{threads}", f"-c{target.connections}", f"-d{duration:g}s", "--timeout", "30s",
               "-s", str(script)]
    if target.cookie:
        command += ["-H", f"Cookie: {target.cookie}"]
    command.append(f"http://{HOST}:{target.port}{target.path}")
    if batch_file is not None:
        command += ["--", str(batch_file), str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 15)
    match = re.search(r"BENCH requests=(\d+) duration_us=(\d+) bad=(\d+) sockerr=(\d+) "
                      r"p50_us=(\d+) p95_us=(\d+) wrapped=(\d+)", done.stdout)
    if done.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    requests, duration_us, bad, sockerr, p50, p95, wrapped = (int(g) for g in match.groups())
    return {"rps": requests / (duration_us / 1e6), "requests": requests, "errors": bad + sockerr,
            "p50_ms": p50 / 1000, "p95_ms": p95 / 1000, "ran_out": wrapped > 0}


def run_python(target: Target, duration: float, threads: int, batch: list | None = None) -> dict:
    """Threads with keep-alive http.client connections (reopened when gunicorn closes them).
    With a batch of submissions each request POSTs the next unused one, until time or batch runs out."""
    headers = {"Cookie": target.cookie} if target.cookie else {}
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    start_line = threading.Barrier(threads + 1)
    deadline: list[float] = []
    pending = list(reversed(batch or []))
    taking = threading.Lock()

    def send(conn: http.client.HTTPConnection) -> bool | None:
        if batch is None:
            conn.request("GET", target.path, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status == 200
        with taking:
            if not pending:
                return None
            item = pending.pop()
        conn.request("POST", item.path, body=item.body, headers={
            "Cookie": item.cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        return response.status == 303 and "#result" in (response.headers.get("Location") or "")

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, target.port, timeout=10)
        start_line.wait()
        mine, end = latencies[index], deadline[0]
        while (t0 := time.perf_counter()) < end:
            try:
                ok = send(conn)
                if ok is None:
                    break
                if not ok:
                    errors[index] += 1
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, target.port, timeout=10)
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
            "p50_ms": every[len(every) // 2] * 1000, "p95_ms": every[min(len(every) - 1, int(len(every) * 0.95))] * 1000,
            "ran_out": batch is not None and not pending}


# --- load phases ----------------------------------------------------------------------------------

@dataclass
class Phase:
    """Endpoints measured interleaved, round by round, so their ratios share the same machine load."""

    title: str
    targets: list[Target]
    base: Target  # per-round ratios are taken against this one
    rounds: int
    base_name: str = "hello"
    skipped: int = 0


def run_phase(phase: Phase, args, use_wrk: bool, tmp: Path) -> None:
    scripts = {"get": tmp / "count.lua", "submit": tmp / "submit.lua"}
    scripts["get"].write_text(WRK_SCRIPT)
    scripts["submit"].write_text(WRK_SUBMIT)

    def measure(target: Target, duration: float, rounds_left: int, cap: int | None = None) -> dict:
        batch = target.next_batch(rounds_left, cap) if target.submissions is not None else None
        if not use_wrk:
            return run_python(target, duration, min(args.threads, target.connections), batch)
        if batch is None:
            return run_wrk(target, duration, scripts["get"])
        batch_file = tmp / "batch.tsv"
        batch_file.write_text("".join(f"{b.path}\t{b.cookie}\t{b.body}\n" for b in batch))
        return run_wrk(target, duration, scripts["submit"], batch_file=batch_file)

    print(f"{phase.title}:", flush=True)
    for target in phase.targets:  # warm-up: imports, template compilation, connection pools
        if target.connections > 2:  # slow pages were warmed by their first request already
            target.warm_up = measure(target, 1, phase.rounds + 1, cap=400)  # 1 s: keep the rest for the rounds
    for round_no in range(1, phase.rounds + 1):
        for target in phase.targets:
            if remaining() < args.duration + 5:
                phase.skipped += 1
                continue
            result = measure(target, args.duration, phase.rounds - round_no + 1)
            result["round"] = round_no
            target.runs.append(result)
            print(f"  round {round_no}: {target.label[:58]:58} {result['rps']:8,.0f} req/s"
                  f"  p50 {fmt(result['p50_ms'], '{:.1f}')} ms  errors {result['errors']}", flush=True)


def check_logged_in(target: Target) -> None:
    if target.submissions is not None:
        return
    status, _headers, _body = request(target.port, "GET", target.path, timeout=60,
                                      headers={"Cookie": target.cookie} if target.cookie else {})
    if status != 200:
        raise BenchError(f"{target.path} answered {status} before the load (cookie not accepted?)")


def audit(app, prepared: list[int], target: Target, length: int) -> dict:
    """Nothing lost: every submission answered with its result is stored, with all its answers."""
    from app.extensions import db
    from bench import seed

    with app.app_context():
        found = seed.submission_audit(prepared)
        db.session.remove()
    answered = target.successes
    found["answered"] = answered
    # a request wrk was still waiting for when its time ran out may be stored but not counted
    found["lost"] = max(0, answered - found["submitted"]) + found["incomplete"]
    found["length"] = length
    return found


# --- report -------------------------------------------------------------------------------------

def fmt(value: float | None, pattern: str = "{:,.0f}") -> str:
    if value is not None and pattern == "{:,.0f}" and 0 < value < 10:
        pattern = "{:.1f}"  # pages that take about a second: keep a digit
    return "–" if value is None else pattern.format(value)


def round_ratios(target: Target, base: Target) -> list[float]:
    """target req/s divided by the base's req/s of the same round: robust to load that drifts."""
    base_by_round = {r["round"]: r["rps"] for r in base.runs if r["rps"]}
    return [r["rps"] / base_by_round[r["round"]] for r in target.runs if r["round"] in base_by_round]


def ratio_text(target: Target, base: Target) -> str:
    ratios = round_ratios(target, base)
    return (f"**{statistics.median(ratios):.2f}** ({', '.join(f'{r:.2f}' for r in ratios)})" if ratios else "–")


def median_ratio(target: Target, base: Target) -> float | None:
    ratios = round_ratios(target, base)
    return statistics.median(ratios) if ratios else None


def phase_table(phase: Phase, extra: tuple[str, Target] | None = None) -> list[str]:
    head = f"| Endpoint | req/s (median) | runs (req/s) | p50 ms | p95 ms | vs {phase.base_name} (per round) |"
    rule = "|---|---:|---|---:|---:|---|"
    if extra:
        head += f" {extra[0]} |"
        rule += "---|"
    lines = [head + " errors |", rule + "---:|"]
    for target in phase.targets:
        runs = ", ".join(fmt(r["rps"]) for r in target.runs) or "–"
        line = (f"| {target.label} | {fmt(target.median('rps'))} | {runs} | {fmt(target.median('p50_ms'), '{:.1f}')} | "
                f"{fmt(target.median('p95_ms'), '{:.1f}')} | {ratio_text(target, phase.base)} |")
        if extra:
            line += f" {ratio_text(target, extra[1]) if target.submissions is not None else ''} |"
        lines.append(line + f" {target.errors} |")
    if phase.skipped:
        lines.append(f"\nNOTE: {phase.skipped} measurement(s) skipped to stay within the {BUDGET_S:.0f} s budget.")
    return lines


def report(args, tool: str, phases: list[tuple[Phase, Target | None]], sql: list[dict], class_sql: list[dict],
           submit_sql: dict[str, int], audits: dict[str, dict], notes: list[str]) -> str:
    lines = [f"# Lesmark load benchmark — {date.today().isoformat()}", "",
             f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}; "
             f"gunicorn -c gunicorn.conf.py -w 2 -k sync --max-requests 0 on {HOST} for both apps; {tool}; "
             f"{args.rounds} interleaved round(s) of {args.duration:g} s per endpoint, median shown.", ""]
    for phase, slide in phases:
        lines += [f"## {phase.title}", ""]
        lines += phase_table(phase, ("vs slide (per round)", slide) if slide else None)
        lines.append("")
    lines += ["## SQL statements per page (in-process, test client)", "",
              "| Page | screens | kind | HTML bytes | SQL statements | ms/request |", "|---|---:|---|---:|---:|---:|"]
    for row in sql:
        limit = row.get("limit", MAX_STATEMENTS)
        count = "–" if row["count"] is None else f"{row['count']}{'' if row['count'] <= limit else ' ✗'}"
        lines.append(f"| GET {row['path']} | {fmt(row['screens'])} | {row['kind']} | {fmt(row['bytes'])} | "
                     f"{count} | {fmt(row['ms'], '{:.2f}')} |")
    for db_name, count in submit_sql.items():
        lines.append(f"| POST /attempts/…/submit ({db_name}) | – | final quiz through Flask (the test client is another browser on the session) | – | {count} | – |")
    lines += ["", f"A slide page: ≤ {MAX_STATEMENTS} statements whatever the lesson length (a kept content "
                  "slide, answered without Flask by app/kept_slides.py: the session and a glance at the slide "
                  "in one statement, and the reading position's upsert when it moves; a question loads itself "
                  "as well; 3 more the first time a process renders a content slide: the slide in full, its "
                  "text and the course glossary); a reload of the same slide writes nothing.", "",
              "| Class page | " + " | ".join(f"{n:,} students" for n in CLASS_SIZES) + " |",
              "|---|" + "---:|" * len(CLASS_SIZES)]
    for row in class_sql:
        lines.append(f"| {row['page']} (statements) | "
                     + " | ".join(str(row["counts"].get(n, "–")) for n in CLASS_SIZES) + " |")
        lines.append(f"| {row['page']} (HTML kB) | "
                     + " | ".join(fmt(row["bytes"][n] / 1024 if n in row["bytes"] else None) for n in CLASS_SIZES)
                     + " |")
    if audits:
        lines += ["", "## Submissions: nothing lost", "",
                  "| Database | answered with the result | stored as submitted | incomplete | answers stored | lost |",
                  "|---|---:|---:|---:|---:|---:|"]
        for db_name, found in audits.items():
            lines.append(f"| {db_name} | {found['answered']:,} | {found['submitted']:,} | {found['incomplete']} | "
                         f"{found['answers']:,} | {found['lost']} |")
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


# --- the run --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:  # noqa: C901, PLR0915 - one linear script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measurement (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--python", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--threads", type=int, default=8, help="threads of the Python generator (default 8)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL part")
    parser.add_argument("--show-sql", action="store_true", help="print the counted SQL statements")
    args = parser.parse_args(argv)

    from app.cli import DEMO_ACCOUNTS

    student, _n, student_password, _r = next(a for a in DEMO_ACCOUNTS if a[3] == "student")
    teacher = next(a for a in DEMO_ACCOUNTS if a[3] == "teacher")[0]
    use_wrk = not args.python and Path(WRK).exists()
    tool = "wrk -t2 -c16" if use_wrk else f"Python http.client, {args.threads} threads"
    secret = secrets.token_hex(32)
    tmp = Path(tempfile.mkdtemp(prefix="lesmark-bench-"))
    (tmp / "sqlite").mkdir()
    (tmp / "pg").mkdir()
    servers: list[Server] = []
    cluster = None
    phases: list[tuple[Phase, Target | None]] = []
    audits: dict[str, dict] = {}
    submit_sql: dict[str, int] = {}
    notes: list[str] = []
    problems: list[str] = []
    # Ctrl+C raises KeyboardInterrupt even if the shell started us with SIGINT ignored; a plain
    # kill (SIGTERM) exits through the same finally: so gunicorn and PostgreSQL are always stopped.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def serve(env: dict[str, str], name: str, app_module: str = "wsgi:app", health: str = "/healthz") -> Server:
        server = Server(env, free_port(), tmp / f"gunicorn-{name}.log", app_module, health)
        servers.append(server)
        server.start()
        return server

    def prepare_submissions(app, env_name: str) -> tuple[list, int, int]:
        from app.extensions import db
        from bench import seed

        with app.app_context():
            _lesson_id, slug, _final_list = seed.quiz_lesson()
            prepared, length = seed.open_finals(app, f"sub-{env_name}-", SUBMISSIONS)
            db.session.remove()
        # two submissions in-process, never sent by the load: the first reads the questions' grading
        # facts (once per process, app/services/attempts.py), the second is counted
        for probe in (prepared.pop(), prepared.pop()):
            status, statements, _size = count_page(app, logged_in_client(app, probe.cookie), probe.path, "POST",
                                                   data=probe.body, content_type="application/x-www-form-urlencoded")
            if status != 303:
                break
        if status != 303:
            raise BenchError(f"in-process submission on {env_name} answered {status}")
        submit_sql[env_name] = len(statements)
        if args.show_sql:
            print(f"submit ({env_name}):", *[f"  {s}" for s in statements], sep="\n")
        notes.append(f"Submissions ({env_name}): the final quiz of `{slug}`, {length} answers each.")
        return prepared, length, len(statements)

    try:
        # --- SQLite: slides, submissions, class pages ---
        env = bench_env(tmp / "sqlite", secret)
        print(f"instance {tmp}: migrate, sync content, demo accounts…", flush=True)
        prepare_instance(env)
        app = bench_app(env)
        sql, meta = count_sql(app, student, student_password)
        if args.show_sql:
            for row in (r for r in sql if r["count"] is not None):
                print(f"{row['path']}:", *[f"  {s}" for s in row["statements"]], sep="\n")
        seeded = time.monotonic()
        prepared, length, _count = prepare_submissions(app, "SQLite")
        classes, class_sql = seed_classes(app, teacher)
        print(f"seeded {SUBMISSIONS:,} open quizzes and classes of {', '.join(map(str, CLASS_SIZES))} "
              f"in {time.monotonic() - seeded:.1f} s", flush=True)

        hello = serve(bench_env(tmp / "sqlite", secret), "hello", "bench.hello:app", "/")
        lesmark = serve(env, "sqlite")
        # the same app with every page left to Flask: what answering kept slides below it buys
        flask_only = serve({**env, "LESMARK_SERVE_KEPT_SLIDES": "0"}, "sqlite-flask-only")
        cookie = log_in(lesmark.port, student, student_password)
        base = Target("hello (bare Flask)", "/", port=hello.port)
        slide = Target(f"GET /lessons/{LONG_LESSON}/slides/{SLIDE} (long, {meta['facts'][LONG_LESSON]['screens']} "
                       "screens)", f"/lessons/{LONG_LESSON}/slides/{SLIDE}", cookie, lesmark.port)
        short = meta["short"]
        submit = Target("POST final quiz submission", "/attempts/submit", port=lesmark.port,
                        submissions=list(prepared))
        targets = [base, Target("GET /healthz", "/healthz", port=lesmark.port), slide,
                   Target(f"GET /lessons/{short}/slides/{SLIDE} (short, {meta['facts'][short]['screens']} screens)",
                          f"/lessons/{short}/slides/{SLIDE}", cookie, lesmark.port)]
        targets.append(Target(f"GET /lessons/{LONG_LESSON}/slides/{SLIDE} served by Flask "
                              "(`LESMARK_SERVE_KEPT_SLIDES=0`)", f"/lessons/{LONG_LESSON}/slides/{SLIDE}", cookie,
                              flask_only.port))
        question = meta["facts"][LONG_LESSON]["question"]
        if question:  # a checkpoint is rendered for its student on every view: nothing of it is kept
            targets.append(Target(f"GET /lessons/{LONG_LESSON}/slides/{question} (a checkpoint question)",
                                  f"/lessons/{LONG_LESSON}/slides/{question}", cookie, lesmark.port))
        targets.append(submit)
        for target in targets:
            check_logged_in(target)
        phase = Phase("SQLite: slide pages and submissions against a bare Flask app", targets, base, args.rounds)
        run_phase(phase, args, use_wrk, tmp)
        phases.append((phase, slide))
        flask_only.stop()

        # both pages show 50 students a page (the first page is measured); the CSV export has them all
        class_targets = [Target(f"GET gradebook, {size:,} students (page 1)",
                                f"/classes/{classes[size]['id']}/gradebook", classes[size]["teacher_cookie"],
                                lesmark.port, connections=2)
                         for size in CLASS_SIZES]
        class_targets += [Target(f"GET heat map, {size:,} students (page 1)", f"/classes/{classes[size]['id']}/mastery",
                                 classes[size]["teacher_cookie"], lesmark.port, connections=2)
                          for size in CLASS_SIZES]
        class_targets.append(Target(f"GET /progress, a student of the class of {CLASS_SIZES[-1]:,}", "/progress",
                                    classes[CLASS_SIZES[-1]]["student_cookie"], lesmark.port))
        for target in class_targets:
            check_logged_in(target)
        phase = Phase("SQLite: class pages by class size", class_targets, class_targets[0], max(1, args.rounds - 2),
                      base_name=f"the gradebook of {CLASS_SIZES[0]}")
        run_phase(phase, args, use_wrk, tmp)
        phases.append((phase, None))
        lesmark.stop()
        audits["SQLite"] = audit(app, [p.attempt_id for p in prepared], submit, length)
        release(app)

        # --- PostgreSQL: slides and submissions ---
        if not args.no_postgres and remaining() < 45:
            notes.append("NOTE: the PostgreSQL part was skipped: the machine was too slow to finish it within "
                         f"the {BUDGET_S:.0f} s budget.")
        elif not args.no_postgres:
            from tests.support import PostgresCluster

            print("PostgreSQL: initdb, migrate, sync content, demo accounts…", flush=True)
            cluster = PostgresCluster()
            cluster.start()
            env_pg = bench_env(tmp / "pg", secret, cluster.create_database("lesmark_bench"))
            prepare_instance(env_pg)
            app_pg = bench_app(env_pg)
            prepared_pg, length_pg, _count = prepare_submissions(app_pg, "PostgreSQL")
            lesmark_pg = serve(env_pg, "postgresql")
            cookie_pg = log_in(lesmark_pg.port, student, student_password)
            slide_pg = Target(f"GET /lessons/{LONG_LESSON}/slides/{SLIDE} (PostgreSQL)",
                              f"/lessons/{LONG_LESSON}/slides/{SLIDE}", cookie_pg, lesmark_pg.port)
            submit_pg = Target("POST final quiz submission (PostgreSQL)", "/attempts/submit", port=lesmark_pg.port,
                               submissions=list(prepared_pg))
            base_pg = Target("hello (bare Flask)", "/", port=hello.port)
            targets_pg = [base_pg, slide_pg, submit_pg]
            check_logged_in(slide_pg)
            phase = Phase("PostgreSQL: slide page and submissions against a bare Flask app", targets_pg, base_pg,
                          args.rounds)
            run_phase(phase, args, use_wrk, tmp)
            phases.append((phase, slide_pg))
            lesmark_pg.stop()
            audits["PostgreSQL"] = audit(app_pg, [p.attempt_id for p in prepared_pg], submit_pg, length_pg)
            release(app_pg)
        for server in servers:
            server.stop()
            problems += server.problems()
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    finally:
        for server in servers:
            server.stop()
        if cluster is not None:
            cluster.stop()
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
        shutil.rmtree(tmp, ignore_errors=True)

    if problems:
        notes += ["gunicorn log problems:", "", *[f"    {p}" for p in problems[:10]]]
    text = report(args, tool, phases, sql, class_sql, submit_sql, audits, notes)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.md").write_text(text)
    print()
    print(text)
    print(f"written to {(OUT / 'latest.md').relative_to(ROOT)} in {time.monotonic() - STARTED:.0f} s")
    failed = []
    if any((row["count"] or 0) > row.get("limit", MAX_STATEMENTS) or row["status"] != 200 for row in sql):
        failed.append(f"a slide page issued more than {MAX_STATEMENTS} SQL statements (or was not 200)")
    for row in class_sql:
        if len(set(row["counts"].values())) != 1 or any(s != 200 for s in row["status"].values()):
            failed.append(f"{row['page']}: SQL statements grow with the class ({row['counts']}) or not 200")
    targets = [t for phase, _slide in phases for t in phase.targets]
    if any(t.errors for t in targets):
        failed.append("some responses were not the expected 200 (or 303 to the result)")
    if any(r.get("ran_out") for t in targets for r in t.runs):
        failed.append(f"the load ran out of prepared submissions: raise SUBMISSIONS ({SUBMISSIONS})")
    if any(not t.runs for t in targets):
        failed.append("an endpoint was not measured")
    for db_name, found in audits.items():
        if found["lost"]:
            failed.append(f"{db_name}: {found['lost']} submission(s) lost or incomplete")
    for reason in failed:
        print(f"FAIL: {reason}", file=sys.stderr)
    return 1 if failed else 0


def seed_classes(app, teacher: str) -> tuple[dict[int, dict], list[dict]]:
    """Classes of every size with graded attempts; their pages' SQL statement counts per size."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Lesson, User
    from bench import seed

    classes: dict[int, dict] = {}
    with app.app_context():
        teacher_id = db.session.scalar(select(User.id).where(User.username == teacher))
        lesson_ids = list(db.session.scalars(select(Lesson.id).where(Lesson.slug == LONG_LESSON)))
        for size in CLASS_SIZES:
            class_id = seed.graded_class(teacher_id, size, lesson_ids)
            first_student = db.session.scalar(select(User.id).where(User.username == f"c{size}-00000"))
            cookies = seed.session_cookies(app, seed.add_sessions([teacher_id, first_student]))
            db.session.commit()
            classes[size] = {"id": class_id, "teacher_cookie": cookies[teacher_id][0],
                             "student_cookie": cookies[first_student][0]}
        db.session.remove()
    pages = (("Gradebook", "/classes/{id}/gradebook", "teacher_cookie", CLASS_SIZES),
             ("Heat map", "/classes/{id}/mastery", "teacher_cookie", CLASS_SIZES),
             ("Student's /progress", "/progress", "student_cookie", CLASS_SIZES))
    rows = []
    for name, pattern, who, sizes in pages:
        row = {"page": name, "counts": {}, "bytes": {}, "status": {}}
        for size in sizes:
            facts = classes[size]
            client = logged_in_client(app, facts[who])
            path = pattern.format(id=facts["id"])
            client.get(path)  # warm: a session's first request may refresh its last-seen time
            status, statements, size_bytes = count_page(app, client, path)
            row["counts"][size], row["bytes"][size], row["status"][size] = len(statements), size_bytes, status
        rows.append(row)
    return classes, rows


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn and PostgreSQL stopped", file=sys.stderr)
        sys.exit(130)
