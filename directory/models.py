"""Établissements of the académie, identified by their UAI code."""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

uai_validator = RegexValidator(r"^\d{7}[A-Z]$", _("A UAI code is 7 digits and a capital letter."))


class Etablissement(models.Model):
    class Kind(models.TextChoices):
        ECOLE = "ecole", _("École")
        COLLEGE = "college", _("Collège")
        LYCEE = "lycee", _("Lycée")
        SERVICE = "service", _("Academic service")

    uai = models.CharField(_("UAI code"), max_length=8, unique=True, validators=[uai_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The «bassin d'éducation et de formation» (area) the académie puts it in.
    bassin = models.CharField(_("bassin"), max_length=100, blank=True, db_index=True)
    # Empty: the académie of the UAI's département (directory/school_data/academies.json).
    academie = models.CharField(_("académie"), max_length=40, blank=True, help_text=_(
        "Leave empty to use the académie of the UAI code (its school holidays follow it)."))
    # Name, commune and UAI without accents or case (directory.search.normalise).
    search_key = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"


class Discipline(models.Model):
    """What a teacher teaches («Mathématiques», «Lettres modernes»…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")

    def __str__(self) -> str:
        return self.name


class Function(models.Model):
    """What someone does in an établissement («CPE», «Directeur d'école», «Gestionnaire»…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("function")
        verbose_name_plural = _("functions")

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A staff member's entry in the académie's directory: only what the académie publishes
    (never the NUMEN, birth date or recovery address, which stay on the account)."""

    user = models.OneToOneField(
        "accounts.User", verbose_name=_("account"), on_delete=models.CASCADE,
        primary_key=True, related_name="directory_entry",
    )
    etablissements = models.ManyToManyField(
        Etablissement, verbose_name=_("établissements"), blank=True, related_name="people"
    )
    functions = models.ManyToManyField(
        Function, verbose_name=_("functions"), blank=True, related_name="people"
    )
    disciplines = models.ManyToManyField(
        Discipline, verbose_name=_("disciplines"), blank=True, related_name="people"
    )
    phone = models.CharField(_("professional phone"), max_length=30, blank=True)
    # Both kept by directory.people.refresh_keys: «nom prénom» for ordering, and every word
    # one may search by (name, login, functions, disciplines, établissements, communes, UAI).
    sort_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    search_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")

    def __str__(self) -> str:
        return str(self.user)


class DistributionList(models.Model):
    """An address that reaches many people at once («liste de diffusion»): named members and,
    optionally, everyone of some categories (or of one discipline) in one établissement or the
    académie, so a list follows staff turnover by itself. ``posting`` says who may write."""

    class Kind(models.TextChoices):
        DISCIPLINE = "disciplinaire", _("Discipline list")
        ETABLISSEMENT = "etablissement", _("Établissement list")
        FUNCTIONAL = "fonctionnelle", _("Functional list")
        PROJECT = "projet", _("Project list")

    class Posting(models.TextChoices):
        MEMBERS = "members", _("Its members")
        ETABLISSEMENT = "etablissement", _("The staff of its établissement")
        ACADEMIE = "academie", _("Everyone in the académie")
        CHOSEN = "chosen", _("Chosen senders only")

    address = models.EmailField(_("address"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.ETABLISSEMENT)
    description = models.TextField(_("description"), blank=True)
    etablissement = models.ForeignKey(
        Etablissement, verbose_name=_("établissement"), on_delete=models.CASCADE,
        null=True, blank=True, help_text=_("Empty: the whole académie."),
    )
    categories = models.JSONField(
        _("categories of staff included"), default=list, blank=True,
        help_text=_("Everyone of these categories in the établissement is a member."),
    )
    discipline = models.ForeignKey(
        Discipline, verbose_name=_("discipline"), on_delete=models.PROTECT, null=True,
        blank=True, help_text=_("Everyone teaching it (in the établissement) is a member."),
    )
    bassin = models.CharField(
        _("bassin"), max_length=100, blank=True,
        help_text=_("With a discipline and no établissement: everyone teaching it in the "
                    "établissements of this bassin."),
    )
    members = models.ManyToManyField(
        "accounts.User", verbose_name=_("named members"), blank=True, related_name="+",
    )
    owners = models.ManyToManyField(
        "accounts.User", verbose_name=_("owners"), blank=True, related_name="owned_lists",
    )
    members_visible = models.BooleanField(_("everyone may see the members"), default=True)
    posting = models.CharField(_("who may write"), max_length=16, choices=Posting.choices,
                               default=Posting.ACADEMIE)
    allowed_senders = models.TextField(
        _("allowed senders"), blank=True,
        help_text=_("One address per line; empty: every address of the académie."),
    )
    ends_on = models.DateField(_("end date"), null=True, blank=True,
                               help_text=_("After this day the list takes no more mail."))
    moderated = models.BooleanField(
        _("messages from others than the owners wait for an owner's approval"), default=False
    )
    # Its name and address without accents or case (directory.signals): what the compose
    # field's suggestions search, in the database.
    search_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["address"]
        verbose_name = _("distribution list")
        verbose_name_plural = _("distribution lists")

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    def save(self, *args, **kwargs):
        self.address = self.address.lower()
        super().save(*args, **kwargs)


class HeldMessage(models.Model):
    """A message to a moderated list, kept until an owner approves (then it is spooled like any
    other, under this id, so at most once) or rejects it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dlist = models.ForeignKey(DistributionList, on_delete=models.CASCADE, related_name="held")
    sender = models.EmailField()
    subject = models.CharField(max_length=300, blank=True)
    raw = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"


class JoinRequest(models.Model):
    """Someone asks to join a list; an owner approves or rejects it."""

    dlist = models.ForeignKey(DistributionList, on_delete=models.CASCADE,
                              related_name="join_requests")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["dlist", "user"], name="one_request")]

    def __str__(self) -> str:
        return f"{self.user} → {self.dlist}"
