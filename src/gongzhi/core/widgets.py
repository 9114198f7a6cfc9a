"""Choice widgets that write their options in Python.

Django renders every option of a select or a checkbox list through its own template; on
the renewal project page a picker of 200 affected residents and three lists of adopted
opinions cost about 90 ms of a 130 ms page. These widgets write the same markup as
Django's templates (a test compares them option by option), only without a template per
option.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _value(value) -> str:
    return "" if value is None else str(value)


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        _value(option["value"]),
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every piece went through format_html


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        own = widget["attrs"]
        parts = [
            format_html(
                "<div{}>",
                flatatt({key: own[key] for key in ("id", "class") if own.get(key)}),
            )
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html("<div><label>{}</label>", group))
            for option in options:
                attrs = option["attrs"]
                parts.append(
                    format_html(
                        '<div><label{}><input type="{}" name="{}"{}{}> {}</label></div>',
                        flatatt({"for": attrs["id"]} if attrs.get("id") else {}),
                        option["type"],
                        option["name"],
                        format_html(' value="{}"', _value(option["value"]))
                        if option["value"] is not None
                        else "",
                        flatatt(attrs),
                        option["label"],
                    )
                )
            if group:
                parts.append("</div>")
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 — every piece went through format_html
