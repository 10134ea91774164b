"""Administration of shared mailboxes: the list, creating a functional mailbox, members,
roles, folder addresses and signatures, and the journal (page and CSV)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mail.access import access_mailbox, mailboxes_with_right
from mail.imap import imap_session
from mail.imap.folders import folder_tree
from mail.models import MailboxMember
from shared_mailboxes import administration, journal
from shared_mailboxes.forms import (
    CreateMailboxForm,
    FolderAddressForm,
    MailboxSignatureForm,
    MemberForm,
    RoleGrantForm,
    creatable_etablissements,
)
from shared_mailboxes.models import AuditEntry, FolderAddress, MailboxSignature, RoleGrant


@login_required
@require_GET
def index(request):
    administered = mailboxes_with_right(request.user, "administer").order_by(
        "kind", "display_name"
    )
    return render(
        request,
        "shared_mailboxes/index.html",
        {
            "administered": administered,
            "may_create": creatable_etablissements(request.user).exists(),
            "delegated_to_me": MailboxMember.objects.filter(user=request.user)
            .select_related("mailbox"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not creatable_etablissements(request.user).exists():
        raise PermissionDenied
    form = CreateMailboxForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mailbox = administration.do_create_functional_mailbox(
            creator=request.user, imap_user=data["imap_user"], address=data["address"],
            display_name=data["display_name"], etablissement=data["etablissement"],
        )  # fmt: skip
        messages.success(request, _("Mailbox %(address)s created.") % {"address": mailbox.address})
        return redirect("shared_mailboxes:members", mailbox_id=mailbox.id)
    return render(request, "shared_mailboxes/create.html", {"form": form})


def _folder_choices(mailbox) -> list[tuple[str, str]]:
    with imap_session(mailbox.imap_user) as box:
        tree = folder_tree(box.folders(), {})
    return [(entry.name, entry.label) for entry in tree if entry.folder.selectable]


@login_required
@require_http_methods(["GET", "POST"])
def members(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, need="administer")
    operation = request.POST.get("operation", "")
    data = request.POST if request.method == "POST" else None
    forms = {
        "member": MemberForm(data if operation == "member" else None, mailbox=mailbox,
                             prefix="membre"),
        "role": RoleGrantForm(data if operation == "role" else None, user=request.user,
                              mailbox=mailbox, prefix="role"),
        "address": FolderAddressForm(data if operation == "address" else None,
                                     folders=_folder_choices(mailbox), prefix="adresse"),
        "signature": MailboxSignatureForm(data if operation == "signature" else None,
                                          prefix="signature"),
    }  # fmt: skip
    if request.method == "POST":
        done = _apply(request, mailbox, operation, forms)
        if done:
            messages.success(request, _("Saved."))
            return redirect("shared_mailboxes:members", mailbox_id=mailbox.id)
    return render(
        request,
        "shared_mailboxes/members.html",
        {
            "mailbox": mailbox,
            "forms": forms,
            "members": MailboxMember.objects.filter(mailbox=mailbox).select_related("user"),
            "grants": RoleGrant.objects.filter(mailbox=mailbox).select_related("etablissement"),
            "addresses": FolderAddress.objects.filter(mailbox=mailbox),
            "signatures": MailboxSignature.objects.filter(mailbox=mailbox),
        },
    )


def _apply(request, mailbox, operation: str, forms) -> bool:
    actor = request.user
    removals = {
        "remove_member": lambda i: administration.do_remove_member(
            actor=actor, mailbox=mailbox, member_id=i),
        "remove_role": lambda i: administration.do_remove_role_grant(
            actor=actor, mailbox=mailbox, grant_id=i),
        "remove_address": lambda i: administration.do_remove_folder_address(
            actor=actor, mailbox=mailbox, address_id=i),
        "remove_signature": lambda i: bool(
            MailboxSignature.objects.filter(mailbox=mailbox, id=i).delete()[0]),
    }  # fmt: skip
    if operation in removals:
        item = request.POST.get("id", "")
        return item.isdigit() and removals[operation](int(item))
    form = forms.get(operation)
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    if operation == "member":
        administration.do_set_member(
            actor=actor, mailbox=mailbox, person=data["person"], rights=form.rights(),
            starts_at=data["starts_at"], ends_at=data["ends_at"],
        )  # fmt: skip
    elif operation == "role":
        administration.do_set_role_grant(
            actor=actor, mailbox=mailbox, category=data["category"],
            etablissement=data["etablissement"], rights=form.rights(),
        )  # fmt: skip
    elif operation == "address":
        administration.do_add_folder_address(
            actor=actor, mailbox=mailbox, address=data["local_part"], folder=data["folder"]
        )
    else:
        administration.do_save_signature(mailbox=mailbox, form=form)
    return True


@login_required
@require_GET
def journal_page(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, need="administer")
    entries = AuditEntry.objects.filter(mailbox=mailbox).select_related("user")
    if request.GET.get("format") == "csv":
        response = HttpResponse(journal.as_csv(entries), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="journal-{mailbox.imap_user}.csv"'
        return response
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "shared_mailboxes/journal.html", {"mailbox": mailbox, "page": page})
