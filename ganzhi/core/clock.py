"""The clock: enqueues the periodic tasks (``GANZHI_PERIODIC_TASKS``) for the worker.

A task is not enqueued again while an earlier run of it is still waiting or
running, so a slow worker is never buried under copies. The clock itself holds no
state: restarting it at any time is safe.
"""

import time

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus


def _outstanding(task_path: str) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=task_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def tick(last_run: dict[str, float], now: float) -> list[str]:
    """Enqueue every periodic task whose interval has passed; returns what was enqueued."""
    enqueued = []
    for path, seconds in settings.GANZHI_PERIODIC_TASKS.items():
        if now - last_run.get(path, 0.0) < seconds:
            continue
        last_run[path] = now
        if _outstanding(path):
            continue
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued


def run(stop) -> None:
    """Tick once a second until ``stop()`` is true."""
    last_run: dict[str, float] = {}
    while not stop():
        tick(last_run, time.monotonic())
        time.sleep(1)
