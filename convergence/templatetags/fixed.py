"""``{% fixed %}…{% endfixed %}``: markup that is the same for every person, rendered once per
language and web process, then reused.

Every page repeats the header, the footer and the mail sidebar's links: some hundred
``{% translate %}`` and ``{% url %}`` tags that cost about 80 Python calls each, a quarter of a
warm inbox page (docs/benchmarks.md, «Where the time goes»). So that nothing personal can ever
be kept and shown to someone else, the block may hold only text, literal translations, URLs
and static files named by literals: anything else is refused when the template is compiled.
"""

from django import template
from django.template.base import FilterExpression, TextNode, Variable
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix
from django.utils.translation import get_language

register = template.Library()


def _literal(expression) -> bool:
    if not isinstance(expression, FilterExpression) or expression.filters:
        return False
    var = expression.var
    return not isinstance(var, Variable) or var.lookups is None


def _fixed(node) -> bool:
    if isinstance(node, TextNode | CommentNode):
        return True
    if isinstance(node, TranslateNode):
        return (node.asvar is None and _literal(node.filter_expression)
                and (node.message_context is None or _literal(node.message_context)))  # fmt: skip
    if isinstance(node, URLNode):
        return (node.asvar is None and _literal(node.view_name)
                and all(map(_literal, [*node.args, *node.kwargs.values()])))  # fmt: skip
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    return False


class FixedNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered = {}

    def render(self, context):
        key = (get_language(), get_script_prefix(), context.autoescape)
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)  # already safe
        return html


@register.tag
def fixed(parser, token):
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                f"{{% fixed %}} holds only text and literal translate, url and static tags, "
                f"not {node!r} (line {token.lineno})"
            )
    return FixedNode(nodelist)
