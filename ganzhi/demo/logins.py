"""Demo logins: one user per role on the generated demo company, only in demo mode.

``ensure_demo_logins(company)`` creates (once; later calls change nothing) the
users below, all with password ``ganzhi-demo``, linked to the generated staff
and owner records so that scoping shows each of them their own slice. It
refuses unless ``settings.GANZHI_DEMO`` is on: production never gets users
with a published password.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from ganzhi.core.errors import DomainError
from ganzhi.core.roles import Role
from ganzhi.org.models import Company, Project, Region, Staff, Unit, User
from ganzhi.owners.models import HouseholdMember, Owner

DEMO_PASSWORD = "ganzhi-demo"
USERNAMES = (
    "hq",
    "region1",
    "manager",
    "staff",
    "manager2",
    "staff2",
    "frontline1",
    "owner1",
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str  # what this user sees, in Chinese, for the start-up banner


@dataclass
class _Plan:
    username: str
    role: str
    is_staff: bool
    person: Staff | Owner
    description: str


def ensure_demo_logins(company: Company) -> list[DemoLogin]:
    """Create the demo users of ``company`` if missing; return all of them (in a fixed order)."""
    if not settings.GANZHI_DEMO:
        raise DomainError(
            "demo_mode_off",
            "演示账号只能在演示模式（GANZHI_DEMO=1）下创建；生产环境不会创建演示账号。",
        )
    with transaction.atomic():
        existing = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
        foreign = sorted(name for name, u in existing.items() if u.company_id != company.id)
        if foreign:
            raise DomainError(
                "demo_login_taken",
                f"用户名 {'、'.join(foreign)} 已被其他公司的账号占用，无法创建演示账号。",
            )
        plans = _plans(company, existing)
        password = None  # hashed once, only if a user is created
        for plan in plans:
            if plan.username in existing:
                continue
            password = password or make_password(DEMO_PASSWORD)
            person = plan.person
            surname, given = (person.name[:1], person.name[1:]) if person.name else ("", "")
            user = User.objects.create(
                username=plan.username,
                password=password,
                company=company,
                role=plan.role,
                is_staff=plan.is_staff,
                last_name=surname,
                first_name=given,
            )
            type(person).objects.filter(pk=person.pk).update(user=user)
    return [DemoLogin(p.username, str(p.role), p.description) for p in plans]


def _plans(company: Company, existing: dict[str, User]) -> list[_Plan]:
    projects = list(
        Project.objects.filter(company=company).select_related("region").order_by("code")[:2]
    )
    if len(projects) < 2:
        raise DomainError(
            "demo_incomplete", "演示公司的数据不完整（少于两个项目），无法创建演示账号。"
        )
    first, second = projects
    region = first.region
    n_projects = Project.objects.filter(company=company).count()
    n_regions = Region.objects.filter(company=company).count()
    in_region = Project.objects.filter(company=company, region=region).count()

    def staff(username: str, **lookup) -> Staff:
        user = existing.get(username)
        if user is not None and hasattr(user, "staff"):
            return user.staff
        found = (
            Staff.objects.filter(company=company, user__isnull=True, **lookup)
            .order_by("employee_no")
            .first()
        )
        if found is None:
            raise DomainError(
                "demo_incomplete", f"演示公司缺少账号 {username} 对应的员工，无法创建演示账号。"
            )
        return found

    def project_staff(project: Project, post: str | None) -> Callable[[str], Staff]:
        lookup = {"post__isnull": True} if post is None else {"post__code": post}
        return lambda username: staff(username, projects=project, **lookup)

    owner, unit = _demo_owner(company, first, existing.get("owner1"))
    return [
        _Plan(
            "hq",
            Role.HQ,
            True,
            staff("hq", supervisor__isnull=True, post__isnull=True, projects__isnull=True),
            f"集团品质部：全公司 {n_regions} 个区域、{n_projects} 个项目，可进管理后台",
        ),
        _Plan(
            "region1",
            Role.REGION_MANAGER,
            True,
            staff("region1", regions=region),
            f"区域总：{region.name}的 {in_region} 个项目，可进管理后台",
        ),
        _Plan(
            "manager",
            Role.PROJECT_MANAGER,
            True,
            project_staff(first, None)("manager"),
            f"项目经理：只看{first.name}（{first.code}），可进管理后台",
        ),
        _Plan(
            "staff",
            Role.CUSTOMER_SERVICE,
            False,
            project_staff(first, "cs")("staff"),
            f"客服：{first.name}的业主档案（可见完整手机号）",
        ),
        _Plan(
            "manager2",
            Role.PROJECT_MANAGER,
            True,
            project_staff(second, None)("manager2"),
            f"项目经理：只看{second.name}（{second.code}）",
        ),
        _Plan(
            "staff2",
            Role.CUSTOMER_SERVICE,
            False,
            project_staff(second, "cs")("staff2"),
            f"客服：{second.name}的业主档案",
        ),
        _Plan(
            "frontline1",
            Role.FRONTLINE,
            False,
            project_staff(first, "cleaning")("frontline1"),
            f"保洁员：{first.name}的楼栋与房屋（看不到业主档案）",
        ),
        _Plan(
            "owner1",
            Role.OWNER,
            False,
            owner,
            f"业主：{owner.name}，{first.name}{unit.label}，只看自己家",
        ),
    ]


def _demo_owner(company: Company, project: Project, user: User | None) -> tuple[Owner, Unit]:
    """The owner1 login's person: the primary contact of an owner-occupied home."""
    members = HouseholdMember.objects.filter(
        company=company,
        household__project=project,
        household__is_current=True,
        is_primary_contact=True,
    ).select_related("owner", "household__unit__building")
    if user is not None:
        member = members.filter(owner__user=user).order_by("household__unit_id", "id").first()
    else:
        free = members.filter(owner__user__isnull=True).order_by("household__unit_id", "id")
        # Preferably the owner of an owner-occupied home; in a tiny demo, anyone.
        member = (
            free.filter(
                relation=HouseholdMember.Relation.OWNER,
                household__unit__type=Unit.Type.RESIDENTIAL,
                household__unit__status=Unit.Status.OCCUPIED,
            ).first()
            or free.first()
        )
    if member is None:
        raise DomainError(
            "demo_incomplete", f"演示项目{project.name}没有可用的业主，无法创建演示账号。"
        )
    return member.owner, member.household.unit
