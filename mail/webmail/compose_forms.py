"""The compose form: every header field checked before anything is built or sent."""

from datetime import timedelta
from email.utils import getaddresses

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mail.message.html_safety import sanitize_html
from mail.models import MessageTemplate, Signature
from mail.outgoing.compose import Composition, Upload

MAX_ADDRESSES = 500


def attachment_limit() -> int:
    """Base64 makes attachments a third larger; the gateway's limit is on the whole message."""
    return int(settings.GATEWAY_MAX_MESSAGE_SIZE * 0.7)


def _no_line_breaks(value: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ValidationError(_("Line breaks are not allowed here."))
    return value


def display_names(value: str) -> dict[str, str]:
    """The names written beside addresses (already checked by ``parse_addresses``)."""
    return {
        address.strip().lower(): " ".join(name.split())
        for name, address in getaddresses([value.replace(";", ",")])
        if name.strip() and address.strip()
    }


def parse_addresses(value: str) -> list[str]:
    _no_line_breaks(value)
    value = value.replace(";", ",")
    found = []
    for name, address in getaddresses([value]):
        address = address.strip()
        if not address:
            if name.strip():
                raise ValidationError(
                    _("“%(value)s” is not an e-mail address."), params={"value": name}
                )
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("“%(value)s” is not a valid e-mail address."), params={"value": address}
            ) from None
        found.append(address.lower())
    if len(found) > MAX_ADDRESSES:
        raise ValidationError(_("Too many recipients."))
    return found


def _upload(file) -> Upload:
    """A small file is read (it travels in the message); a large one, which becomes a link,
    stays on disk where Django streamed it (FILE_UPLOAD_MAX_MEMORY_SIZE) and is never read
    whole into memory (mail.outgoing.shared_files)."""
    content_type = file.content_type or "application/octet-stream"
    if file.size >= settings.LARGE_ATTACHMENT_BYTES:
        return Upload(file.name, content_type, b"", file=file)
    return Upload(file.name, content_type, file.read())


def _formatted(html: str) -> str | None:
    """The editor's HTML, through the same allow-list as received mail; None if it is empty."""
    if not html.strip():
        return None
    safe = sanitize_html(html, cid_url=lambda content_id: None, remote_image_url=None)
    return safe.html or None


class AddressesField(forms.CharField):
    def clean(self, value):
        return parse_addresses(super().clean(value) or "")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ComposeForm(forms.Form):
    sender = forms.ModelChoiceField(label=_("From"), queryset=None, empty_label=None)
    to = AddressesField(label=_("To"), required=False,
                        help_text=_("Separate addresses with commas."))  # fmt: skip
    cc = AddressesField(label=_("Cc"), required=False)
    bcc = AddressesField(label=_("Bcc"), required=False,
                         help_text=_("Hidden from the other recipients."))  # fmt: skip
    subject = forms.CharField(label=_("Subject"), max_length=900, required=False,
                              validators=[_no_line_breaks])  # fmt: skip
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea, strip=False)
    # The formatted version from the editor; sanitised like any HTML mail before it leaves.
    html = forms.CharField(
        required=False, max_length=2_000_000, widget=forms.HiddenInput, strip=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    high_priority = forms.BooleanField(label=_("High priority"), required=False)
    read_receipt = forms.BooleanField(label=_("Ask for a read receipt"), required=False)
    in_reply_to = forms.CharField(required=False, max_length=998, widget=forms.HiddenInput,
                                  validators=[_no_line_breaks])  # fmt: skip
    references = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput,
                                 validators=[_no_line_breaks])  # fmt: skip
    # «Envoi différé»: the browser's date and time picker, read in the writer's time zone.
    send_at = forms.DateTimeField(
        label=_("Send later, on"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to send now. The message waits in «To be sent» until then."),
    )
    # «Droit à la déconnexion»: the writer may still send at once, for an emergency.
    send_now = forms.BooleanField(label=_("Send it now anyway: it is urgent"), required=False)
    draft_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # «Transférer en pièce jointe»: mailbox id, UID and folder of the original.
    forward = forms.RegexField(
        regex=r"^[0-9]+:[0-9]+:[^\r\n]{1,255}$", required=False, widget=forms.HiddenInput
    )

    # Attachments carried over from a stored message (mail.outgoing.carried): the original of a
    # forward, «imap:<mailbox>:<uid>:<folder>», or a cancelled send, «envoi:<id>». The
    # checkboxes named ``carried`` say which of its parts are kept.
    carried_from = forms.RegexField(
        regex=r"^(imap:[0-9]+:[0-9]+:[^\r\n]{1,255}|envoi:[0-9]+)$",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, senders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].queryset = senders

    def clean_attachments(self):
        """Small files travel in the message; large ones become links (outgoing.shared_files)."""
        files = self.cleaned_data["attachments"]
        large = [f for f in files if f.size >= settings.LARGE_ATTACHMENT_BYTES]
        if any(f.size > settings.SHARED_FILE_MAX_BYTES for f in large):
            raise ValidationError(
                _("A file cannot be larger than %(size)s MB."),
                params={"size": settings.SHARED_FILE_MAX_BYTES // (1024 * 1024)},
            )
        if sum(f.size for f in files if f not in large) > attachment_limit():
            raise ValidationError(
                _("Attachments are limited to %(size)s MB in all."),
                params={"size": attachment_limit() // (1024 * 1024)},
            )
        return files

    def clean_send_at(self):
        when = self.cleaned_data["send_at"]
        if when is None:
            return None
        now = timezone.now()
        if when < now - timedelta(minutes=1):
            raise ValidationError(_("This date is already past: choose a later time."))
        if when > now + timedelta(days=366):
            raise ValidationError(_("A message can be scheduled at most one year ahead."))
        return when if when > now else None

    def clean(self):
        data = super().clean()
        if not self.errors and not (data["to"] or data["cc"] or data["bcc"]):
            self.add_error("to", _("Add at least one recipient."))
        return data

    def composition(self, *, sender_name: str) -> Composition:
        data = self.cleaned_data
        return Composition(
            sender_name=sender_name,
            sender_address=data["sender"].address,
            to=data["to"],
            cc=data["cc"],
            bcc=data["bcc"],
            subject=data["subject"],
            body=data["body"],
            html=_formatted(data["html"]),
            in_reply_to=data["in_reply_to"],
            references=data["references"],
            high_priority=data["high_priority"],
            read_receipt=data["read_receipt"],
            attachments=[_upload(f) for f in data["attachments"]],
            names=display_names(f"{self['to'].value() or ''}, {self['cc'].value() or ''}"),
        )

    def kept_parts(self) -> set[int]:
        """Indexes of the carried parts to send: the ticked boxes, or the draft's list."""
        if self.is_bound:
            values = self.data.getlist("carried") if hasattr(self.data, "getlist") else []
        else:
            values = str(self.initial.get("carried", "")).split(",")
        return {int(value) for value in values if value.strip().isdigit()}

    def draft_fields(self) -> dict:
        """What autosave keeps and «annuler» reopens; files travel in ``carried_from``."""
        raw = self.data
        keys = (
            "to",
            "cc",
            "bcc",
            "subject",
            "body",
            "html",
            "in_reply_to",
            "references",
            "forward",
            "send_at",
            "carried_from",
            "high_priority",
            "read_receipt",
            "send_now",
        )
        fields = {key: raw.get(key, "") for key in keys}
        fields["carried"] = ",".join(str(index) for index in sorted(self.kept_parts()))
        fields["sender"] = raw.get("sender", "")
        fields["key"] = str(self.cleaned_data.get("draft_key") or raw.get("draft_key") or "")
        return fields


class SignatureForm(forms.ModelForm):
    class Meta:
        model = Signature
        fields = ["name", "body", "is_default", "with_mentions"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "body": _(
                "You can use {prénom}, {nom}, {classe} and {date}: you fill them in when "
                "you use the template."
            ),
        }
