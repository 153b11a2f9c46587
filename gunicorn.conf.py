"""gunicorn settings for Lesmark (`gunicorn wsgi:app` picks this file up from the working directory).

Every value can be overridden from the environment, so one file serves a laptop, a container and a
server behind a load balancer. See docs/deploy.md.
"""

import multiprocessing
import os

bind = os.environ.get("LESMARK_BIND", "127.0.0.1:8000")
# sync workers: each request is short (pages are pre-rendered); scale with processes, not threads
workers = int(os.environ.get("LESMARK_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("LESMARK_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# recycle workers now and then so a slow leak can never take a server down
max_requests = 2000
max_requests_jitter = 200
# the app writes its own JSON request log (app/logs.py); gunicorn only reports errors
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LESMARK_GUNICORN_LOG_LEVEL", "warning")
# gunicorn 27 opens a control socket shared by every gunicorn of the same user on the machine
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): two instances (two apps, a
# benchmark next to a server) would fight over it. Lesmark does not use gunicornc, so it is off
# unless a path of this instance's own is given.
control_socket_path = os.environ.get("LESMARK_CONTROL_SOCKET", "")
if control_socket_path:
    control_socket = control_socket_path
else:
    control_socket_disable = True
# behind a reverse proxy on the same host only; see LESMARK_PROXY_FIX for X-Forwarded-*
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
limit_request_fields = 100
