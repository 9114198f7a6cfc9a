"""The quick choice widgets write the markup Django's option templates write."""

import pytest
from django import forms
from django.test.html import parse_html

from gongzhi.core.widgets import QuickCheckboxes, QuickSelect

CHOICES = [
    ("", "请选择"),
    ("1", '1栋 <张三> & "李四"'),
    ("2", "2栋 王五"),
    ("组", [("3", "3栋"), ("4", "4栋 ' 引号")]),
]


@pytest.mark.parametrize("value", [None, "", "1", ["1", "4"], ["2"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_who", "class": "wide", "required": True}])
def test_select_matches_django(value, attrs):
    value = value[0] if isinstance(value, list) else value
    ours = QuickSelect(choices=CHOICES).render("who", value, attrs)
    theirs = forms.Select(choices=CHOICES).render("who", value, attrs)
    # Compared as parsed HTML: attribute order and whitespace do not matter.
    assert parse_html(ours) == parse_html(theirs)


@pytest.mark.parametrize("value", [None, [], ["1"], ["1", "4"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_cause", "class": "checks"}])
def test_checkboxes_match_django(value, attrs):
    choices = CHOICES[1:]
    ours = QuickCheckboxes(choices=choices).render("cause", value, attrs)
    theirs = forms.CheckboxSelectMultiple(choices=choices).render("cause", value, attrs)
    # Compared as parsed HTML: attribute order and whitespace do not matter.
    assert parse_html(ours) == parse_html(theirs)


def test_labels_are_escaped():
    html = QuickSelect(choices=CHOICES).render("who", "1")
    assert "<张三>" not in html
    assert "&lt;张三&gt; &amp; &quot;李四&quot;" in html
    html = QuickCheckboxes(choices=CHOICES[1:]).render("cause", ["1"], {"id": "x"})
    assert "<张三>" not in html
    assert "checked" in html.split('value="1"')[1].split(">")[0]
