"""Distribution list pages: browse, see members where allowed, join or leave, and for owners
add or remove members, decide on requests, and say who may write."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from directory import lists, moderation
from directory.list_forms import (
    AddMemberForm,
    DisciplineListForm,
    ListSettingsForm,
    ProjectListForm,
)
from directory.models import DistributionList


@login_required
@require_GET
def index(request):
    mine = set(DistributionList.members.through.objects.filter(user=request.user)
               .values_list("distributionlist_id", flat=True))  # fmt: skip
    groups = []
    for kind, label in DistributionList.Kind.choices:
        found = DistributionList.objects.filter(kind=kind).select_related("etablissement")
        if found:
            groups.append((label, [(d, d.pk in mine) for d in found]))
    return render(request, "directory/lists.html", {
        "groups": groups,
        "may_create_discipline": lists.may_create_discipline_lists(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    form = ProjectListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dlist = lists.create_project_list(
            request.user, name=data["name"], address=data["local_part"],
            description=data["description"], ends_on=data["ends_on"],
        )
        messages.success(request, _("The list %(address)s is ready.") % {"address": dlist.address})
        return redirect("directory:list", list_id=dlist.pk)
    return render(request, "directory/list_create.html", {
        "form": form, "title": _("Create a project list"),
        "intro": _("You will be its owner and its first member: you add the others, and decide "
                   "who may write to it."),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def create_discipline(request):
    """IT support creates the académie's discipline lists (by bassin, établissement or all)."""
    if not lists.may_create_discipline_lists(request.user):
        raise Http404
    form = DisciplineListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dlist = lists.create_discipline_list(
            name=data["name"], address=data["local_part"], discipline=data["discipline"],
            bassin=data["bassin"], etablissement=data["uai"],
        )
        messages.success(request, _("The list %(address)s is ready.") % {"address": dlist.address})
        return redirect("directory:list", list_id=dlist.pk)
    return render(request, "directory/list_create.html", {
        "form": form, "title": _("Create a discipline list"),
        "intro": _("Everyone teaching the discipline in the chosen bassin (or établissement, or "
                   "the whole académie) is a member, as the HR import says: arrivals join and "
                   "departures leave by themselves."),
    })  # fmt: skip


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _number(value) -> int:
    return int(value) if value and str(value).isdigit() else 0


def _page(request, dlist, *, add_form=None, settings_form=None, status=200):
    manage = lists.may_manage(request.user, dlist)
    context = {
        "dlist": dlist, "manage": manage,
        "member": lists.is_member(request.user, dlist),
        "named": dlist.members.filter(pk=request.user.pk).exists(),
        "asked": dlist.join_requests.filter(user=request.user).exists(),
        "members": lists.members(dlist) if lists.may_see_members(request.user, dlist) else None,
        "named_ids": set(dlist.members.values_list("pk", flat=True)),
        "owners": list(dlist.owners.all()),
        "may_write": lists.may_post(dlist, request.user.email),
    }  # fmt: skip
    if manage:
        context.update(
            requests=list(dlist.join_requests.select_related("user")),
            held=list(dlist.held.defer("raw")),
            add_form=add_form or AddMemberForm(prefix="ajout"),
            settings_form=settings_form or ListSettingsForm(instance=dlist, prefix="reglages"),
        )
    return render(request, "directory/list.html", context, status=status)


@login_required
@require_GET
def detail(request, list_id: int):
    return _page(request, lists.access_list(request.user, list_id))


@login_required
@require_POST
def act(request, list_id: int):
    operation = request.POST.get("operation", "")
    if operation in ("join", "leave"):
        dlist = lists.access_list(request.user, list_id)
        if operation == "join":
            lists.request_join(request.user, dlist)
            messages.success(request, _("Your request was sent to the list's owners."))
        else:
            lists.leave(request.user, dlist)
            messages.success(request, _("You left the list."))
        return redirect("directory:list", list_id=dlist.pk)
    dlist = lists.access_list(request.user, list_id, manage=True)
    if operation == "add":
        form = AddMemberForm(request.POST, prefix="ajout")
        if not form.is_valid():
            return _page(request, dlist, add_form=form, status=400)
        dlist.members.add(form.cleaned_data["person"])
    elif operation == "remove":
        dlist.members.remove(*User.objects.filter(pk=_number(request.POST.get("user"))))
    elif operation in ("approve", "reject"):
        lists.decide(dlist, _number(request.POST.get("request")), approve=operation == "approve")
    elif operation in ("release", "discard"):
        held_id = request.POST.get("held", "")
        if not _UUID.match(held_id):
            raise Http404
        moderation.decide(dlist, held_id, approve=operation == "release")
    elif operation == "settings":
        form = ListSettingsForm(request.POST, instance=dlist, prefix="reglages")
        if not form.is_valid():
            return _page(request, dlist, settings_form=form, status=400)
        form.save()
    messages.success(request, _("Saved."))
    return redirect("directory:list", list_id=dlist.pk)
