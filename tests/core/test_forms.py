"""LongSelect writes the same options as Django's Select, without a template per option."""

import re

import pytest
from django import forms

from ganzhi.core.forms import LongSelect
from ganzhi.org.forms import ProjectFilterForm


def options(html: str) -> list[tuple[str, bool, str]]:
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)
    return [(value, bool(selected), label) for value, selected, label in found]


@pytest.mark.parametrize("value", ["", "b", None])
def test_the_options_and_the_selection_are_those_of_djangos_select(value):
    choices = [("", "全部"), ("a", "A & <b>"), ("b", "乙")]
    ours = LongSelect(choices=choices).render("x", value, {"id": "id_x"})
    django_select = forms.Select(choices=choices).render("x", value, {"id": "id_x"})
    assert options(ours) == options(django_select)
    assert len(options(ours)) == 3
    assert "A &amp; &lt;b&gt;" in ours  # escaped
    assert ours.startswith('<select id="id_x" name="x">')


def test_a_scoped_filter_offers_only_the_users_regions_and_keeps_the_choice(world):
    form = ProjectFilterForm({"region": str(world.south.public_id)}, user=world.region)
    assert options(str(form["region"])) == [
        ("", False, "全部区域"),
        (str(world.south.public_id), True, "华南区域"),
    ]
