"""``ganzhi run``: prepare the database, then run the web server, the task worker
and the clock.

The web server is gunicorn (a production WSGI server), the worker is the
django-tasks database worker, and the clock enqueues periodic tasks (the SLA
sweep); all are child processes. Ctrl-C (SIGINT) or SIGTERM stops them all and
waits for them; if one dies, the others are stopped too.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command

STOP_GRACE_SECONDS = 15


def prepare(*, demo_households: int) -> list:
    """Migrate, collect static files, and in demo mode load the demo on first start."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    if not settings.GANZHI_DEMO:
        return []
    from ganzhi.demo.generator import generate_demo
    from ganzhi.demo.logins import ensure_demo_logins
    from ganzhi.org.models import Company
    from ganzhi.rollups.services import rebuild as rebuild_rollups

    company = Company.objects.filter(code="demo").first()
    if company is None:
        print(f"首次启动：正在生成演示数据（{demo_households} 户）…", flush=True)
        started = time.monotonic()
        generate_demo(households=demo_households, seed=1)
        rebuild_rollups()
        print(f"演示数据已生成，用时 {time.monotonic() - started:.1f} 秒。", flush=True)
        company = Company.objects.get(code="demo")
    return ensure_demo_logins(company)


def launch(*, host: str, port: int, web_workers: int, demo_households: int) -> int:
    logins = prepare(demo_households=demo_households)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ganzhi.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ],
        env=env,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--no-reload"],
        env=env,
    )
    clock = subprocess.Popen(
        [sys.executable, "-m", "django", "ganzhi_clock"],
        env=env,
    )
    _print_banner(host, port, logins)
    return _supervise([web, worker, clock])


def _print_banner(host: str, port: int, logins: list) -> None:
    print("", flush=True)
    print(f"  感知 Ganzhi 已启动： http://{host}:{port}", flush=True)
    print(f"  管理后台： http://{host}:{port}/admin/   API 文档： http://{host}:{port}/api/v1/docs")
    if logins:
        print("  演示账号（密码均为 ganzhi-demo）：")
        for login in logins:
            print(f"    {login.username:<12} {login.description}")
    print("  按 Ctrl-C 停止。", flush=True)
    print("", flush=True)


def _supervise(children: list[subprocess.Popen]) -> int:
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for child in children:
            code = child.poll()
            if code is not None:
                print(
                    f"ganzhi: process {child.args[2]} exited with {code}; stopping.",
                    file=sys.stderr,
                )
                exit_code = code or 1
                stopping = True
                break
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("感知已停止。", flush=True)
    return exit_code
