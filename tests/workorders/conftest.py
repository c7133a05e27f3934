import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ganzhi.core.roles import Role
from ganzhi.org.models import Post, Staff
from ganzhi.workorders.models import Category
from ganzhi.workorders.services import workorder_defaults_ensure
from tests.conftest import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def wo(world):
    """The world plus work-order defaults and an engineering post with a fixer."""
    company = world.company
    engineering = Post.objects.create(company=company, code="engineering", name="工程维修")
    Post.objects.create(company=company, code="security", name="秩序维护")
    workorder_defaults_ensure(company=company, years=[2026])
    world.fixer = make_user(
        company, "fixer", Role.FRONTLINE, projects=[world.project_a], post=engineering
    )
    world.fixer2 = make_user(
        company, "fixer2", Role.FRONTLINE, projects=[world.project_a], post=engineering
    )
    manager_staff = Staff.objects.get(user=world.manager)
    Staff.objects.filter(user__in=[world.fixer, world.fixer2]).update(supervisor=manager_staff)
    world.cs_a = make_user(company, "cs_a", Role.CUSTOMER_SERVICE, projects=[world.project_a])
    world.categories = {c.code: c for c in Category.objects.filter(company=company)}
    return world
