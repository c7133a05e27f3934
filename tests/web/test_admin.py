"""The Django admin, scoped like everything else."""


def test_admin_lists_only_the_managers_units(world):
    client = world.client_for(world.manager)
    html = client.get("/admin/org/unit/").content.decode()
    assert "1201" in html and "1202" in html
    assert "0301" not in html and "0101" not in html


def test_admin_change_page_outside_scope_is_not_shown(world):
    client = world.client_for(world.manager)
    ok = client.get(f"/admin/org/unit/{world.unit_x.pk}/change/")
    assert ok.status_code == 200
    other = client.get(f"/admin/org/unit/{world.unit_b.pk}/change/")
    assert other.status_code == 302  # Django's admin: "does not exist" and back to the index
    assert (
        world.client_for(world.outsider)
        .get(f"/admin/owners/owner/{world.owner_x.pk}/change/")
        .status_code
        == 302
    )


def test_admin_foreign_key_choices_are_scoped(world):
    html = world.client_for(world.manager).get("/admin/owners/household/add/").content.decode()
    assert "0301" not in html


def test_admin_hides_full_phone_from_hq(world):
    html = (
        world.client_for(world.hq)
        .get(f"/admin/owners/owner/{world.owner_x.pk}/change/")
        .content.decode()
    )
    assert "138****1234" in html
    assert "13812341234" not in html


def test_admin_is_closed_to_roles_without_it(world):
    world.staff.is_staff = True
    world.staff.save()
    for user in (world.staff, world.owner, world.frontline):
        response = world.client_for(user).get("/admin/org/unit/")
        assert response.status_code in (302, 403)


def test_manager_cannot_add_a_building_to_another_project(world):
    client = world.client_for(world.manager)
    response = client.post(
        "/admin/org/building/add/", {"project": world.project_b.pk, "name": "9栋"}
    )
    assert response.status_code == 200  # the form is shown again with an error
    from ganzhi.org.models import Building

    assert not Building.objects.filter(name="9栋").exists()
    ok = client.post("/admin/org/building/add/", {"project": world.project_a.pk, "name": "9栋"})
    assert ok.status_code == 302
    assert Building.objects.get(name="9栋").company == world.company
