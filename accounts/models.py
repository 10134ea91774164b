"""The academic account: a login such as ``prof.demo``, a category, an établissement, a status."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

login_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9.\-]{1,62}$",
    _("Use lower-case letters, digits, dots and hyphens."),
)


class User(AbstractUser):
    class Category(models.TextChoices):
        TEACHER_PRIMARY = "enseignant_1d", _("Primary school teacher")
        TEACHER_SECONDARY = "enseignant_2d", _("Secondary school teacher")
        ADMIN_STAFF = "administratif", _("Administrative staff")
        TECHNICAL_STAFF = "technique", _("Technical staff")
        IT_SUPPORT = "support", _("IT support")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LOCKED = "locked", _("Locked")
        SUSPENDED = "suspended", _("Suspended for inactivity")
        DISABLED = "disabled", _("Disabled")

    username = models.CharField(
        _("academic login"), max_length=64, unique=True, validators=[login_validator]
    )
    email = models.EmailField(_("e-mail address"), unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    etablissement = models.ForeignKey(
        "directory.Etablissement",
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    # Keyed hash only (accounts.numen): the NUMEN itself is never stored.
    numen_hash = models.CharField(_("NUMEN (keyed hash)"), max_length=64, blank=True, db_index=True)

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.status == self.Status.ACTIVE
