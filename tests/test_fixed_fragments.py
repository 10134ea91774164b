"""``{% fixed %}`` (convergence/templatetags/fixed.py): the header, footer and sidebar links
rendered once per language, and nothing that could differ between two people let in."""

import pytest
from django.template import TemplateSyntaxError, engines
from django.utils import translation

LOAD = "{% load i18n static fixed %}"


def compile_(source: str):
    return engines["django"].from_string(LOAD + source)


def test_each_language_gets_its_own_rendering():
    page = compile_("{% fixed %}<a href=\"{% url 'mail:home' %}\">{% translate 'Close' %}</a>"
                    "{% static 'css/convergence.css' %}{% endfixed %}")  # fmt: skip
    with translation.override("fr"):
        french = page.render({})
    with translation.override("en"):
        english = page.render({})
    with translation.override("fr"):
        assert page.render({}) == french
    assert "Fermer" in french and "Close" in english
    assert "/mail/" in french and "css/convergence.css" in french


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user.email }}",
        "{% translate name %}",
        "{% translate 'Close' as word %}",
        "{% url 'mail:folder' mailbox.id 'INBOX' %}",
        "{% url 'mail:home' as home %}",
        "{% static path %}",
        "{% csrf_token %}",
        "{% if user %}x{% endif %}",
        "{% translate 'Close'|upper %}",
    ],
)
def test_anything_that_may_differ_between_people_is_refused(inside):
    with pytest.raises(TemplateSyntaxError, match="fixed"):
        compile_("{% fixed %}" + inside + "{% endfixed %}")
