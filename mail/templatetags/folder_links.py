"""{% folder_links %} and {% move_options name %}: the folder loops of every mail page, written
in Python (mail/webmail/folder_links.py)."""

from django import template

from mail.webmail.folder_links import folder_links_html, move_options_html

register = template.Library()


@register.simple_tag(takes_context=True)
def folder_links(context):
    """The sidebar's folders; the page's folder (``current`` or ``folder``) marked current."""
    folders = context.get("folders")
    if not folders:
        return ""
    current = context.get("current")
    active = {getattr(current, "name", ""), context.get("folder") or ""} - {""}
    return folder_links_html(folders, context["mailbox"].id, active)


@register.simple_tag(takes_context=True)
def move_options(context, current: str):
    return move_options_html(context.get("folders") or [], current or "")
