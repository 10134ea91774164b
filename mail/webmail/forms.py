"""Forms of the webmail: what the user may ask for, validated before any IMAP command."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mail.imap import InvalidRequest, SearchQuery, SortKey
from mail.imap.folders import COLOURS
from mail.imap.types import check_folder

ACTIONS = ("read", "unread", "flag", "unflag", "archive", "delete", "move", "junk", "notjunk")


class ListOptionsForm(forms.Form):
    """The query string of a message list: page, sort, filter, quick search."""

    page = forms.IntegerField(min_value=1, required=False)
    sort = forms.ChoiceField(choices=[(k.value, k.value) for k in SortKey], required=False)
    order = forms.ChoiceField(choices=[("desc", "desc"), ("asc", "asc")], required=False)
    filter = forms.ChoiceField(
        choices=[
            ("", ""),
            ("unread", "unread"),
            ("flagged", "flagged"),
            ("attachments", "attachments"),
        ],
        required=False,
    )
    q = forms.CharField(max_length=200, required=False, strip=True)

    def clean_q(self):
        return _sendable(self.cleaned_data["q"], "text")

    @classmethod
    def read(cls, query) -> tuple[dict, list[str]]:
        """The list's options and the quick search's refusals. A list asked without any
        option (the usual page) skips the form, which cost some 700 Python calls."""
        if not any(name in query for name in cls.base_fields):
            return _list_options({}), []
        form = cls(query)
        return form.options(), form.errors.get("q", [])

    def options(self) -> dict:
        self.is_valid()
        # The valid fields: a refused search keeps the sort and page.
        return _list_options(self.cleaned_data)


def _list_options(data: dict) -> dict:
    filter_ = data.get("filter") or ""
    return {
        "page": data.get("page") or 1,
        "sort": SortKey(data.get("sort") or SortKey.DATE),
        "reverse": (data.get("order") or "desc") == "desc",
        "query": SearchQuery(
            text=data.get("q") or "",
            unread=filter_ == "unread",
            flagged=filter_ == "flagged",
            with_attachments=filter_ == "attachments",
        ),
        "filter": filter_,
        "q": data.get("q") or "",
    }


class SearchForm(forms.Form):
    text = forms.CharField(label=_("Words"), max_length=200, required=False)
    sender = forms.CharField(label=_("From"), max_length=200, required=False)
    recipient = forms.CharField(label=_("To or Cc"), max_length=200, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    since = forms.DateField(
        label=_("From the"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.DateField(
        label=_("Before the"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    with_attachments = forms.BooleanField(label=_("With attachments"), required=False)
    flagged = forms.BooleanField(label=_("Flagged"), required=False)
    unread = forms.BooleanField(label=_("Unread"), required=False)
    min_size = forms.IntegerField(
        label=_("Larger than (KB)"), min_value=1, max_value=10_000_000, required=False
    )
    folder = forms.CharField(label=_("Where"), max_length=255, required=False)
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean_folder(self):
        name = self.cleaned_data["folder"]
        if name:
            try:
                check_folder(name)
            except InvalidRequest:
                raise forms.ValidationError(_("This folder does not exist.")) from None
        return name

    def clean(self):
        data = super().clean()
        for field in ("text", "sender", "recipient", "subject"):
            if data.get(field):
                try:
                    _sendable(data[field], field)
                except forms.ValidationError as refused:
                    self.add_error(field, refused)
        return data

    def query(self) -> SearchQuery:
        data = self.cleaned_data
        return SearchQuery(
            text=data["text"],
            sender=data["sender"],
            recipient=data["recipient"],
            subject=data["subject"],
            since=data["since"],
            before=data["before"],
            unread=data["unread"],
            flagged=data["flagged"],
            with_attachments=data["with_attachments"],
            min_size=data["min_size"] * 1024 if data["min_size"] else None,
        )


def _sendable(value: str, field: str) -> str:
    """The IMAP adapter's verdict on one search field, as a form error."""
    try:
        SearchQuery(**{field: value}).criteria()
    except InvalidRequest as refused:
        raise forms.ValidationError(refused.reason or _("This search cannot be run.")) from None
    return value


class MessageActionForm(forms.Form):
    folder = forms.CharField(max_length=255)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    uid = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)
    # A conversation row selects all of its messages: "12,15,19".
    conversation = forms.MultipleChoiceField(choices=(), required=False)
    target = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any positive integer: the IMAP layer checks the range and the server the existence.
        uids = self.data.getlist("uid") if hasattr(self.data, "getlist") else []
        self.fields["uid"].choices = [(u, u) for u in uids if str(u).isdigit()]
        groups = self.data.getlist("conversation") if hasattr(self.data, "getlist") else []
        self.fields["conversation"].choices = [
            (g, g) for g in groups if g and all(p.isdigit() for p in g.split(","))
        ]

    def clean(self):
        data = super().clean()
        for group in data.get("conversation") or []:
            data["uid"] = [*data.get("uid", []), *(int(p) for p in group.split(","))]
        if not data.get("uid"):
            raise forms.ValidationError(_("Select at least one message."))
        if data.get("action") == "move" and not data.get("target"):
            self.add_error("target", _("Choose the folder to move the messages to."))
        return data


class FolderForm(forms.Form):
    name = forms.CharField(
        label=_("Folder name"),
        max_length=100,
        help_text=_("Use / to put it inside another folder, for example Classes/2nde 3."),
    )

    def clean_name(self):
        name = "/".join(part.strip() for part in self.cleaned_data["name"].split("/"))
        if not name or any(not part for part in name.split("/")):
            raise forms.ValidationError(_("A folder name cannot be empty."))
        if any(c in name for c in '*%\\"') or any(ord(c) < 32 for c in name):
            raise forms.ValidationError(_('A folder name cannot contain * % \\ or ".'))
        try:
            check_folder(name)
        except InvalidRequest as refused:
            raise forms.ValidationError(refused.reason) from None
        if name.upper() == "INBOX":
            raise forms.ValidationError(_("A folder with this name already exists."))
        return name


class FolderColourForm(forms.Form):
    colour = forms.ChoiceField(label=_("Colour"), choices=list(COLOURS.items()), required=False)
