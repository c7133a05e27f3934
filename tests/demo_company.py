"""A generated demo company shared by a test module: built once inside a transaction
that is rolled back when the module ends; each test then runs in a savepoint."""

from contextlib import contextmanager

from django.db import transaction

from ganzhi.demo.generator import generate_demo
from ganzhi.org.models import Company
from ganzhi.rollups import services as rollups


@contextmanager
def module_demo(django_db_blocker, *, households: int, seed: int):
    """Yield the demo company (rollups built) for the module's lifetime."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            generate_demo(households=households, seed=seed)
            rollups.rebuild()
            yield Company.objects.get(code="demo")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@contextmanager
def savepoint(company):
    """What a test writes is undone when it ends."""
    with transaction.atomic():
        yield company
        transaction.set_rollback(True)
