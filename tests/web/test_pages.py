"""Pages through the real HTTP stack: each persona sees its scope, others get 404/403."""

import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_login_page_is_chinese_by_default(client, world):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录感知" in html
    assert "English" in html


def test_login_and_home_show_the_scope(client, world):
    response = client.post(
        "/accounts/login/", {"username": "manager", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "翠湖花园" in html
    assert "锦绣华庭" not in html
    assert "项目经理" in html


def test_wrong_password_then_lockout(client, world, settings):
    cache.clear()
    for _ in range(settings.GANZHI_LOGIN_MAX_FAILURES):
        response = client.post("/accounts/login/", {"username": "hq", "password": "wrong"})
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "hq", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_english_switch(client, world):
    client.force_login(world.hq)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "You see the whole company." in html


@pytest.mark.parametrize(
    ("username", "visible", "hidden"),
    [
        ("hq", ["翠湖花园", "锦绣华庭", "南湾一号"], ["别家小区"]),
        ("region", ["南湾一号"], ["翠湖花园", "锦绣华庭"]),
        ("manager", ["翠湖花园"], ["锦绣华庭", "南湾一号"]),
        ("staff", ["锦绣华庭"], ["翠湖花园"]),
        ("frontline", ["翠湖花园"], ["锦绣华庭"]),
        ("outsider", ["别家小区"], ["翠湖花园"]),
    ],
)
def test_project_list_per_persona(world, username, visible, hidden):
    client = world.client_for(getattr(world, username))
    html = client.get("/org/projects/").content.decode()
    for name in visible:
        assert name in html
    for name in hidden:
        assert name not in html


def test_detail_pages_answer_404_outside_scope(world):
    manager = world.client_for(world.manager)
    assert manager.get(f"/org/projects/{world.project_a.public_id}/").status_code == 200
    assert manager.get(f"/org/projects/{world.project_b.public_id}/").status_code == 404
    assert manager.get(f"/org/units/{world.unit_x.public_id}/").status_code == 200
    assert manager.get(f"/org/units/{world.unit_b.public_id}/").status_code == 404
    assert manager.get(f"/owners/{world.owner_x.public_id}/").status_code == 200
    assert manager.get(f"/owners/{world.owner_b.public_id}/").status_code == 404
    outsider = world.client_for(world.outsider)
    for path in (
        f"/org/projects/{world.project_a.public_id}/",
        f"/org/units/{world.unit_x.public_id}/",
        f"/owners/{world.owner_x.public_id}/",
    ):
        assert outsider.get(path).status_code == 404


def test_roles_without_permission_get_403(world):
    owner = world.client_for(world.owner)
    for path in ("/org/projects/", "/org/units/", "/owners/", "/owners/import/"):
        assert owner.get(path).status_code == 403, path
    frontline = world.client_for(world.frontline)
    assert frontline.get("/owners/").status_code == 403
    assert frontline.get(f"/owners/{world.owner_x.public_id}/").status_code == 403
    assert frontline.get("/org/units/").status_code == 200


def test_owner_list_masks_phones_for_hq_and_not_for_customer_service(world):
    hq_html = world.client_for(world.hq).get("/owners/").content.decode()
    assert "138****1234" in hq_html
    assert "13812341234" not in hq_html
    cs_html = world.client_for(world.staff).get("/owners/").content.decode()
    assert "13612345678" in cs_html
    assert "张伟" not in cs_html  # owner of project A, outside B's scope


def test_owner_page_shows_service_advice(world):
    world.owner_x.communication_style = "tiger"
    world.owner_x.elderly_alone = True
    world.owner_x.save()
    html = world.client_for(world.manager).get(f"/owners/{world.owner_x.public_id}/")
    text = html.content.decode()
    assert "赢在速度" in text
    assert "独居老人" in text


def test_unit_list_filters_and_junk_parameters(world):
    client = world.client_for(world.hq)
    response = client.get("/org/units/", {"project": str(world.project_a.public_id)})
    html = response.content.decode()
    assert "1201" in html and "0301" not in html
    junk = client.get("/org/units/", {"project": "not-a-uuid", "page": "999"})
    assert junk.status_code == 200
    assert "部分筛选条件无效" in junk.content.decode()


def test_empty_states(world, django_user_model):
    from ganzhi.org.models import Staff

    loose = django_user_model.objects.create_user(
        "newpm", password="x", company=world.company, role="project_manager"
    )
    Staff.objects.create(company=world.company, user=loose, name="新经理", employee_no="N1")
    client = world.client_for(loose)
    assert "尚未给您分配项目" in client.get("/").content.decode()
    assert "没有符合条件的项目" in client.get("/org/projects/").content.decode()


def test_list_pages_use_a_bounded_number_of_queries(world):
    """The query count of each list page does not grow with the number of rows shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_owner, make_unit

    client = world.client_for(world.hq)
    pages = ("/owners/", "/org/projects/", "/org/units/", "/")

    def query_counts():
        counts = {}
        for page in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(page).status_code == 200
            counts[page] = len(captured.captured_queries)
        return counts

    before = query_counts()
    for i in range(30):
        unit = make_unit(world.building_a, f"2{i:02d}1")
        make_owner(unit, f"业主{i}", f"1370000{i:04d}")
    assert query_counts() == before
    assert max(before.values()) <= 14, before
