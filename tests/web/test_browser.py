"""Key pages in a real browser on a phone-sized screen."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_logs_in_on_a_phone_and_finds_their_project(world, live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录感知"
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "翠湖花园" in page.locator("main").inner_text()
    # the navigation is folded behind the menu button on a phone
    projects_link = page.get_by_role("link", name="项目", exact=True)
    assert not projects_link.is_visible()
    page.locator("label.nav-button").click()
    projects_link.click()
    page.wait_for_url("**/org/projects/")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "翠湖花园" in rows.first.inner_text()
    page.get_by_role("link", name="翠湖花园").click()
    assert page.locator("h1").inner_text().startswith("翠湖花园")


def test_wrong_password_shows_a_chinese_error(world, live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert "请输入一个正确的" in page.get_by_role("alert").inner_text()
