"""Who administers an établissement's shared resources (functional mailboxes, rooms and
equipment): IT support anywhere, an établissement's administrative staff their own
établissement, nobody else. One rule, used by shared mailboxes and the agenda's rooms."""

from accounts.models import User
from directory.models import Etablissement


def administered_etablissements(user):
    if user.category == User.Category.IT_SUPPORT or user.is_superuser:
        return Etablissement.objects.all()
    if user.category == User.Category.ADMIN_STAFF and user.etablissement_id:
        return Etablissement.objects.filter(id=user.etablissement_id)
    return Etablissement.objects.none()
