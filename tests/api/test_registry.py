"""Registry endpoints through the real HTTP stack, for each persona."""

import pytest


def project_names(response):
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["items"])


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("hq", ["南湾一号", "翠湖花园", "锦绣华庭"]),
        ("region", ["南湾一号"]),
        ("manager", ["翠湖花园"]),
        ("staff", ["锦绣华庭"]),
        ("owner", ["翠湖花园"]),
        ("outsider", ["别家小区"]),
    ],
)
def test_each_persona_lists_exactly_its_projects(api_as, username, expected):
    assert project_names(api_as(username).get("/projects")) == expected


def test_manager_cannot_read_another_projects_unit(api_as, world):
    api = api_as("manager")
    assert api.get(f"/units/{world.unit_x.public_id}").status_code == 200
    response = api.get(f"/units/{world.unit_b.public_id}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get(f"/units/{world.unit_z.public_id}").status_code == 404
    assert api.get(f"/projects/{world.project_b.public_id}").status_code == 404


@pytest.mark.parametrize("kind", ["regions", "projects", "buildings", "units", "owners"])
def test_outsider_gets_404_for_every_detail(api_as, world, kind):
    targets = {
        "regions": world.east,
        "projects": world.project_a,
        "buildings": world.building_a,
        "units": world.unit_x,
        "owners": world.owner_x,
    }
    assert api_as("outsider").get(f"/{kind}/{targets[kind].public_id}").status_code == 404
    assert api_as("hq").get(f"/{kind}/{targets[kind].public_id}").status_code == 200


def test_owner_sees_only_their_unit_and_themselves(api_as, world):
    api = api_as("owner")
    units = api.get("/units").json()
    assert [u["id"] for u in units["items"]] == [str(world.unit_x.public_id)]
    assert api.get(f"/units/{world.unit_y.public_id}").status_code == 404
    owners = api.get("/owners").json()
    assert [o["name"] for o in owners["items"]] == ["张伟"]
    assert api.get(f"/owners/{world.owner_y.public_id}").status_code == 404
    assert api.get("/buildings").json()["count"] == 0


def test_unit_listing_is_paginated_and_filterable(api_as, world):
    from tests.conftest import make_unit

    for number in range(101, 161):
        make_unit(world.building_a, str(number))
    api = api_as("manager")
    first = api.get("/units", page_size=25).json()
    assert first["count"] == 62
    assert len(first["items"]) == 25
    third = api.get("/units", page_size=25, page=3).json()
    assert len(third["items"]) == 12
    filtered = api.get("/units", q="120").json()
    assert sorted(u["number"] for u in filtered["items"]) == ["120", "1201", "1202"]
    by_building = api.get("/units", building=str(world.building_b.public_id)).json()
    assert by_building["count"] == 0  # B's building is outside the manager's scope
    bad = api.get("/units", status="burning")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


def test_phone_masked_for_hq_full_for_the_projects_customer_service(api_as, world):
    hq_view = api_as("hq").get(f"/owners/{world.owner_b.public_id}").json()
    assert hq_view["phone"] == "136****5678"
    cs_view = api_as("staff").get(f"/owners/{world.owner_b.public_id}").json()
    assert cs_view["phone"] == "13612345678"
    assert cs_view["households"][0]["unit_label"] == "1栋1单元0301"


def test_owner_search_by_phone_suffix(api_as):
    items = api_as("manager").get("/owners", q="5678").json()["items"]
    assert [o["name"] for o in items] == ["李娜"]


def test_manager_creates_and_updates_a_unit_in_their_project(api_as, world):
    api = api_as("manager")
    created = api.post(
        "/units",
        {
            "building": str(world.building_a.public_id),
            "entrance": "2",
            "number": "0502",
            "area": "101.25",
            "type": "residential",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["label"] == "1栋2单元0502" and body["area"] == "101.25"
    patched = api.patch(f"/units/{body['id']}", {"status": "rented"})
    assert patched.status_code == 200 and patched.json()["status"] == "rented"
    duplicate = api.post(
        "/units", {"building": str(world.building_a.public_id), "entrance": "2", "number": "0502"}
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "invalid"


def test_writes_outside_scope_or_role_are_refused(api_as, world):
    manager = api_as("manager")
    response = manager.post(
        "/units", {"building": str(world.building_b.public_id), "number": "0101"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_reference"
    assert (
        manager.patch(f"/units/{world.unit_b.public_id}", {"status": "vacant"}).status_code == 404
    )
    denied = manager.post("/regions", {"code": "north", "name": "华北区域"})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    frontline = api_as("frontline")
    assert (
        frontline.patch(f"/units/{world.unit_x.public_id}", {"status": "vacant"}).status_code == 403
    )
    world.unit_x.refresh_from_db()
    assert world.unit_x.status == "occupied"


def test_hq_creates_region_and_project(api_as, world):
    api = api_as("hq")
    region = api.post("/regions", {"code": "north", "name": "华北区域"})
    assert region.status_code == 201
    project = api.post(
        "/projects", {"region": region.json()["id"], "code": "N1", "name": "北辰花园"}
    )
    assert project.status_code == 201, project.content
    assert project.json()["region"]["name"] == "华北区域"
    clash = api.post("/projects", {"region": region.json()["id"], "code": "N1", "name": "重复"})
    assert clash.status_code == 400
    assert clash.json()["details"] == {"__all__": ["该公司已有相同编码的项目。"]}


def test_customer_service_registers_an_owner_with_validation(api_as, world):
    api = api_as("staff")
    bad = api.post(
        "/owners", {"unit": str(world.unit_b.public_id), "name": "陈静", "phone": "12345"}
    )
    assert bad.status_code == 400
    assert "phone" in bad.json()["details"]
    good = api.post(
        "/owners",
        {
            "unit": str(world.unit_b.public_id),
            "name": "陈静",
            "phone": "+86 137-1234-5678",
            "relation": "family",
            "communication_style": "owl",
        },
    )
    assert good.status_code == 201, good.content
    body = good.json()
    assert body["phone"] == "13712345678"
    assert body["households"][0]["relation"] == "family"
    assert body["households"][0]["is_primary_contact"] is False
    outside = api.post("/owners", {"unit": str(world.unit_x.public_id), "name": "X"})
    assert outside.status_code == 422


def test_hq_cannot_change_a_phone_it_cannot_see(api_as, world):
    response = api_as("hq").patch(f"/owners/{world.owner_x.public_id}", {"phone": "13700000000"})
    assert response.status_code == 403
    ok = api_as("hq").patch(f"/owners/{world.owner_x.public_id}", {"value_type": "demanding"})
    assert ok.status_code == 200 and ok.json()["value_type"] == "demanding"
