"""Where does a page's time go? In-process CPU time per request, and a cProfile of it.

    .venv/bin/python bench/inprocess.py /lessons/nl-l1/slides/3 [/healthz …] [--anonymous] [--profile 40]
                                        [--postgres] [--submissions N]

Builds a throwaway instance (migrate, sync content, demo accounts), logs in as the demo student
like a browser (keeping the cookie the first page sets) and calls the WSGI app directly: no
server, no network. For each path it prints the CPU time (`time.process_time`) per request, the
lowest of several rounds, so other work on the machine hardly moves it; with `--profile N` it
also prints the N functions with the most cumulative time. `make bench` measures the served app.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import bench_env, logged_in_test_client, prepare_instance  # noqa: E402


def served_app(env: dict[str, str]):
    """The app as gunicorn serves it (rate limiter, request log line), its log sent to /dev/null."""
    import logging
    import os

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "INSTANCE_PATH": Path(env["LESMARK_INSTANCE"]),
                      "CONTENT_ROOT": ROOT, "SECRET_KEY": env["SECRET_KEY"], "ENV_NAME": "development",
                      "DEBUG": False, "RATELIMIT_STORAGE_URI": "memory://"})
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the life of the process
    return app


def logged_in_cookie(app, username: str, password: str) -> tuple[str, dict]:
    client = logged_in_test_client(app, username, password)
    client.get("/")  # the first page adds the form token to the session, as in a browser
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    return cookie, dict(client.environ_base)


def call(app, environ: dict, body: bytes = b"") -> str:
    status = []
    result = app(dict(environ, **{"wsgi.input": io.BytesIO(body)}), lambda s, _h, *_a: status.append(s))
    b"".join(result)
    getattr(result, "close", lambda: None)()
    return status[0]


def cpu_ms(app, environ: dict, requests: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for _ in range(requests):
            call(app, environ)
        best = min(best, (time.process_time() - began) / requests * 1000)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="paths to GET, e.g. /lessons/nl-l1/slides/3")
    parser.add_argument("--anonymous", action="store_true", help="without logging in")
    parser.add_argument("--requests", type=int, default=300, help="requests per round (default 300)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; the lowest is shown (default 7)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL cluster, not SQLite")
    parser.add_argument("--submissions", type=int, default=0, metavar="N",
                        help="also hand in N prepared final quizzes (bench/seed.py) and time them")
    args = parser.parse_args(argv)
    if not args.postgres:
        return measure(args, None)
    from tests.support import PostgresCluster

    cluster = PostgresCluster()
    cluster.start()
    try:
        return measure(args, cluster.create_database("lesmark_profile"))
    finally:
        cluster.stop()


def measure(args, database_url: str | None) -> int:

    from werkzeug.test import EnvironBuilder

    from app.cli import DEMO_ACCOUNTS

    student, _name, password, _role = next(a for a in DEMO_ACCOUNTS if a[3] == "student")
    instance = Path(tempfile.mkdtemp(prefix="lesmark-profile-"))
    env = bench_env(instance, secrets.token_hex(32), database_url)
    prepare_instance(env)
    app = served_app(env)
    cookie, base = ("", {}) if args.anonymous else logged_in_cookie(app, student, password)
    for path in args.paths:
        environ = EnvironBuilder(path=path, headers={"Cookie": cookie} if cookie else {},
                                 environ_base=base).get_environ()
        status = call(app, environ)  # warm: the first request renders what later ones keep
        if not status.startswith("200"):
            print(f"{path}: {status}", file=sys.stderr)
            return 1
        print(f"{path}: {cpu_ms(app, environ, args.requests, args.rounds):.3f} ms CPU per request")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(cpu_ms, app, environ, args.requests, 1)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    if args.submissions:
        return measure_submissions(app, args)
    return 0


def measure_submissions(app, args) -> int:
    """Hand in prepared final quizzes (each once: a second POST would only redirect); a third of
    them under the profiler when asked."""
    from werkzeug.test import EnvironBuilder

    from bench.seed import open_finals

    with app.app_context():
        submissions, questions = open_finals(app, "inprocess", args.submissions)
    environs = [(EnvironBuilder(path=s.path, method="POST", data=s.body, headers={"Cookie": s.cookie},
                                content_type="application/x-www-form-urlencoded",
                                environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ(), s.body.encode())
                for s in submissions]

    def hand_in(batch):
        for environ, body in batch:
            status = call(app, environ, body)
            if not status.startswith("303"):
                raise SystemExit(f"submission answered {status}")

    third = len(environs) // 3
    timed, profiled = environs[:2 * third], environs[2 * third:]
    best = float("inf")
    for start in range(0, len(timed), max(1, len(timed) // 4)):
        batch = timed[start:start + max(1, len(timed) // 4)]
        began = time.process_time()
        hand_in(batch)
        best = min(best, (time.process_time() - began) / len(batch) * 1000)
    print(f"POST submission ({questions} answers): {best:.3f} ms CPU per request")
    if args.profile and profiled:
        profile = cProfile.Profile()
        profile.runcall(hand_in, profiled)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
