"""Établissements of the académie, identified by their UAI code."""

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

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"
