"""Forms of the «Règles de tri», «Message d'absence» and «Transfert» pages."""

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from mail.models import Rule, Vacation
from mail.pipeline import rules
from mail.pipeline.forwarding import check_local_address_exists

EMPTY_ROWS = 2


@dataclass
class Row:
    """One condition or action line of the rule form, as typed, with its error."""

    index: int
    values: dict = field(default_factory=dict)
    error: str = ""


class RuleForm(forms.Form):
    """Name, combination and options are plain fields; conditions (``cond-N-*``) and actions
    (``act-N-*``) are numbered lines, as many as the page sent."""

    name = forms.CharField(
        label=_("Name of the rule"),
        max_length=100,
        required=False,
        help_text=_("Optional, for example «Pronote»."),
    )
    match = forms.ChoiceField(
        label=_("Apply the rule when the message meets"),
        choices=Rule.Match.choices,
        initial=Rule.Match.ALL,
    )
    stop = forms.BooleanField(label=_("Then stop: the next rules are not applied"), required=False)
    enabled = forms.BooleanField(label=_("Rule active"), required=False, initial=True)

    def __init__(self, data=None, *, rule: Rule | None = None, folders: list[str] = ()):
        initial = {}
        if rule is not None:
            initial = {
                "name": rule.name,
                "match": rule.match,
                "stop": rule.stop,
                "enabled": rule.enabled,
            }
        super().__init__(data, initial=initial)
        self.folders = list(folders)
        if data is not None:
            self.condition_rows = self._rows(data, "cond", ("field", "op", "value"))
            self.action_rows = self._rows(data, "act", ("type", "folder", "label", "address"))
        else:
            conditions = rule.conditions if rule else []
            actions = rule.actions if rule else []
            self.condition_rows = [Row(i, dict(c)) for i, c in enumerate(conditions)]
            self.action_rows = [Row(i, _action_values(a)) for i, a in enumerate(actions)]
        for rows in (self.condition_rows, self.action_rows):
            start = max((r.index for r in rows), default=-1) + 1
            rows += [Row(start + n) for n in range(EMPTY_ROWS)]
        self.conditions: list[dict] = []
        self.actions: list[dict] = []

    @staticmethod
    def _rows(data, prefix: str, keys: tuple[str, ...]) -> list[Row]:
        indexes = sorted(
            {
                int(k.split("-")[1])
                for k in data
                if k.startswith(f"{prefix}-")
                and k.count("-") == 2
                and k.split("-")[1].isdigit()
                and int(k.split("-")[1]) < 50
            }
        )
        rows = [Row(i, {key: data.get(f"{prefix}-{i}-{key}", "") for key in keys}) for i in indexes]
        return [r for r in rows if any(str(v).strip() for v in r.values.values())]

    def clean(self):
        data = super().clean()
        for row in self.condition_rows:
            if not row.values:
                continue
            try:
                self.conditions.append(rules.clean_condition(row.values))
            except rules.InvalidRule as exc:
                row.error = str(exc)
        for row in self.action_rows:
            if not row.values or not row.values.get("type"):
                continue
            values = row.values
            kind = values["type"]
            value = _action_value(values)
            if kind in rules.ACTIONS_WITH_FOLDER and value and value not in self.folders:
                row.error = str(_("This folder does not exist."))
                continue
            try:
                action = rules.clean_action({"type": kind, "value": value})
                if kind in rules.ACTIONS_WITH_ADDRESS:
                    check_local_address_exists(action["value"])
                self.actions.append(action)
            except rules.InvalidRule as exc:
                row.error = str(exc)
        if any(r.error for r in self.condition_rows + self.action_rows):
            raise forms.ValidationError(_("Some lines of the rule need correcting (see below)."))
        if not self.actions:
            raise forms.ValidationError(rules.NO_ACTION)
        return data


def _action_value(values: dict) -> str:
    """The one of the line's three inputs (folder, label, address) its action uses."""
    kind = values["type"]
    if kind in rules.ACTIONS_WITH_FOLDER:
        return values.get("folder", "")
    if kind in rules.ACTIONS_WITH_ADDRESS:
        return values.get("address", "")
    return values.get("label", "") if kind == "label" else ""


def _action_values(action: dict) -> dict:
    kind, value = action["type"], action.get("value", "")
    values = {"type": kind}
    if kind in rules.ACTIONS_WITH_FOLDER:
        values["folder"] = value
    elif kind in rules.ACTIONS_WITH_ADDRESS:
        values["address"] = value
    elif kind == "label":
        values["label"] = value
    return values


class ApplyNowForm(forms.Form):
    folder = forms.ChoiceField(label=_("Folder to sort"))

    def __init__(self, *args, folders: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["folder"].choices = folders


class VacationForm(forms.ModelForm):
    class Meta:
        model = Vacation
        fields = ["enabled", "starts_on", "ends_on", "school_holidays", "subject", "body", "days"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "starts_on": _("Leave empty to start now."),
            "ends_on": _("Leave empty if you do not know yet."),
            "days": _("Someone who writes again within this delay gets no second reply."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A date input wants 2026-03-01 whatever the language of the page.
        for name in ("starts_on", "ends_on"):
            if self.initial.get(name):
                self.initial[name] = self.initial[name].isoformat()

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date is before the start date."))
        days = data.get("days")
        if days is not None and not 1 <= days <= 30:
            self.add_error("days", _("Choose between 1 and 30 days."))
        return data


class ForwardingForm(forms.Form):
    address = forms.EmailField(
        label=_("Forward my mail to"),
        help_text=_("An e-mail address, for example prenom.nom@ac-demo.test."),
    )
    keep_copy = forms.BooleanField(
        label=_("Keep a copy in this mailbox"), required=False, initial=True
    )


class SieveImportForm(forms.Form):
    script = forms.FileField(label=_("Sieve file (.sieve or .txt)"), required=False)
    text = forms.CharField(
        label=_("Or paste the script here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    replace = forms.BooleanField(label=_("Replace my current rules"), required=False)

    MAX_BYTES = 256 * 1024

    def clean(self):
        data = super().clean()
        upload = data.get("script")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(_("This file is too large for a rules file."))
            try:
                data["source"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("This file is not a text file in UTF-8.")) from None
        else:
            data["source"] = data.get("text") or ""
        if not data["source"].strip():
            raise forms.ValidationError(_("Choose a file or paste a script."))
        return data
