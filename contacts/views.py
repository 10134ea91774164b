"""Address book pages: thin views over contacts.services (parse, call, render)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import forms, services, vcard
from contacts.services import COLLECTED, CONTACTS
from dav import pages
from dav.carddav import DavConflict
from directory.search import listed_people
from directory.suggestions import display_address

LIST_LIMIT = 500


store_required = pages.store_required("contacts/unavailable.html")


def card_url(name: str, book: str, href: str) -> str:
    return reverse(f"contacts:{name}", args=[book, href])


@store_required
def home(request, section: str = "contacts"):
    services.refresh(request.user)
    query = request.GET.get("q", "")[:200]
    book = COLLECTED if section == "collected" else CONTACTS
    rows = services.indexed(request.user, book, query, groups=section == "groups")
    shown = list(rows[:LIST_LIMIT + 1])  # a book of 50,000 imported cards: search it
    return render(request, "contacts/list.html", {
        "section": section, "rows": shown[:LIST_LIMIT], "query": query,
        "more": len(shown) > LIST_LIMIT, "limit": LIST_LIMIT,
    })  # fmt: skip


@store_required
def contact_new(request):
    services.ensure_books(request.user)
    form = forms.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        href = services.save(request.user, form.update(vcard.Contact()))
        messages.success(request, _("Contact saved."))
        return redirect(card_url("card", CONTACTS, href))
    return render(request, "contacts/contact_form.html", {"form": form})


@store_required
def card(request, book: str, href: str):
    stored = services.find(request.user, book, href)
    context = {"stored": stored, "contact": stored.contact}
    if stored.contact.kind == vcard.GROUP:
        context["members"] = services.members_of(request.user, stored.contact)
        context["write_url"] = write_url(context["members"])
    return render(request, "contacts/card.html", context)


def write_url(members) -> str:
    addresses = [display_address(m.name, m.emails[0]) for m in members if m.emails]
    return f"{reverse('mail:compose')}?{urlencode({'a': ', '.join(addresses)})}"


@store_required
def edit(request, book: str, href: str):
    stored = services.find(request.user, book, href)
    if request.POST.get("etag"):  # the version the form was opened on
        stored.etag = request.POST["etag"]
    group = stored.contact.kind == vcard.GROUP
    if group:
        people = services.indexed(request.user, CONTACTS)
        form = forms.GroupForm(request.POST or None, people=people, initial={
            "name": stored.contact.name, "note": stored.contact.note,
            "members": [vcard.member_key(m) for m in stored.contact.members]})  # fmt: skip
    else:
        form = forms.ContactForm(request.POST or None, contact=stored.contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.save(request.user, form.update(stored.contact), book=book, stored=stored)
        except DavConflict:
            fresh = services.find(request.user, book, href)
            form.add_error(None, _("This contact was changed elsewhere (on a phone?) since you "
                                   "opened it. Your changes are not saved yet: check them and "
                                   "save again to replace the other version."))
            return render(request, "contacts/contact_form.html", {
                "form": form, "stored": fresh, "group": group}, status=409)  # fmt: skip
        messages.success(request, _("Group saved.") if group else _("Contact saved."))
        return redirect(card_url("card", book, href))
    return render(request, "contacts/contact_form.html",
                  {"form": form, "stored": stored, "group": group})  # fmt: skip


@store_required
def delete(request, book: str, href: str):
    stored = services.find(request.user, book, href)
    if request.method == "POST":
        stored.etag = request.POST.get("etag") or stored.etag
        try:
            services.delete(request.user, stored)
        except DavConflict:
            messages.error(request, _("This contact was changed elsewhere meanwhile: it was "
                                      "not deleted. Look at it again before deleting it."))
            return redirect(card_url("card", book, href))
        messages.success(request, _("Deleted."))
        return redirect("contacts:groups" if stored.contact.kind == vcard.GROUP else
                        "contacts:collected" if book == COLLECTED else "contacts:home")
    return render(request, "contacts/delete.html", {"stored": stored})


@store_required
def group_new(request):
    services.refresh(request.user)
    form = forms.GroupForm(request.POST or None, people=services.indexed(request.user, CONTACTS))
    if request.method == "POST" and form.is_valid():
        href = services.save(request.user, form.update(vcard.Contact(kind=vcard.GROUP)))
        messages.success(request, _("Group saved."))
        return redirect(card_url("card", CONTACTS, href))
    return render(request, "contacts/contact_form.html", {"form": form, "group": True})


@require_POST
@store_required
def keep(request, href: str):
    """A collected address becomes a contact."""
    new_href = services.keep_collected(request.user, services.find(request.user, COLLECTED, href))
    messages.success(request, _("Added to your contacts."))
    return redirect(card_url("card", CONTACTS, new_href))


@store_required
def duplicates(request):
    services.refresh(request.user)
    if request.method == "POST":
        chosen = request.POST.getlist("href")
        if len(chosen) < 2:
            messages.error(request, _("Choose at least two contacts to merge."))
        else:
            href = services.merge(request.user, chosen)
            messages.success(request, _("Contacts merged."))
            return redirect(card_url("card", CONTACTS, href))
    return render(request, "contacts/duplicates.html",
                  {"sets": services.duplicates(request.user)})  # fmt: skip


@require_POST
@store_required
def add_person(request, user_id: int):
    """«Ajouter à mes contacts» on a directory card."""
    entry = get_object_or_404(listed_people().select_related("user"), pk=user_id)
    href, created = services.add_directory_person(request.user, entry)
    if created:
        messages.success(request, _("Added to your contacts."))
    else:
        messages.info(request, _("Already among your contacts."))
    return redirect(card_url("card", CONTACTS, href))
