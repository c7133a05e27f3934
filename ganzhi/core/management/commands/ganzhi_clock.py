import signal

from django.core.management.base import BaseCommand

from ganzhi.core import clock


class Command(BaseCommand):
    help = "Enqueue Ganzhi's periodic tasks (the SLA sweep …) for the worker."

    def handle(self, *args, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        clock.run(lambda: stopping)
