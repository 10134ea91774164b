"""Password rules beyond Django's: no personal data, no well-known French passwords.

Django's own validators (in AUTH_PASSWORD_VALIDATORS) already refuse short, numeric, common
(English list) passwords and ones close to the login, names and address.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What French users pick when asked for a password, and this service's own names.
COMMON_FRENCH_WORDS = {
    "azerty", "qwerty", "motdepasse", "soleil", "bonjour", "doudou", "chouchou", "loulou",
    "marseille", "paris", "france", "nicolas", "julien", "camille", "amour", "jetaime",
    "education", "academie", "enseignant", "professeur", "college", "lycee", "ecole",
    "convergence", "messagerie", "password", "changeme", "bienvenue",
}  # fmt: skip


def _fold(text: str) -> str:
    """Lower case, no accents, letters and digits only: «Élève-2024» → «eleve2024»."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if c.isascii()))


def _birth_date_forms(date) -> set[str]:
    d, m, y = f"{date.day:02d}", f"{date.month:02d}", f"{date.year:04d}"
    return {d + m + y, y + m + d, d + m + y[2:], m + d + y, d + m, y}


class PersonalDataValidator:
    """Refuses a password that contains the person's names, login, birth date or
    établissement, or that is mostly a well-known French password."""

    def validate(self, password, user=None):
        folded = _fold(password)
        if user is not None:
            words = [getattr(user, "username", ""), getattr(user, "first_name", ""),
                     getattr(user, "last_name", "")]  # fmt: skip
            email = getattr(user, "email", "") or ""
            words.append(email.partition("@")[0])
            parts = {part for word in words for part in re.split(r"[.\-\s]+", _fold_keep(word))}
            if any(len(part) >= 3 and part in folded for part in parts):
                raise ValidationError(
                    _("Your password must not contain your name or your login."),
                    code="password_has_name",
                )
            birth_date = getattr(user, "birth_date", None)
            if birth_date and any(form in folded for form in _birth_date_forms(birth_date)):
                raise ValidationError(
                    _("Your password must not contain your date of birth."),
                    code="password_has_birth_date",
                )
            etablissement = getattr(user, "etablissement", None)
            if etablissement and _fold(etablissement.uai) in folded:
                raise ValidationError(
                    _("Your password must not contain your établissement's number."),
                    code="password_has_uai",
                )
        letters = re.sub(r"[0-9]", "", folded)
        if any(word in folded and len(letters) - len(word) < 4 for word in COMMON_FRENCH_WORDS):
            raise ValidationError(
                _("This password is too easy to guess: it is mostly a common word. Try a "
                  "sentence of several words you will remember."),
                code="password_too_common_fr",
            )  # fmt: skip

    def get_help_text(self):
        return _("Your password must not contain your name, your login or your date of birth.")


def _fold_keep(text: str) -> str:
    """Like _fold, but keeps separators so that «jean-pierre.martin» splits into its words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"[^a-z0-9.\-\s]", "", "".join(c for c in decomposed if c.isascii()))
