"""Accounts, établissements and lists edited anywhere (admin, import, support) keep the
directory's search keys true."""

from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from directory import people
from directory.models import DistributionList, Etablissement, Person
from directory.search import etablissement_key, list_key

# A sign-in saves last_login only: no need to touch the directory then.
_USER_FIELDS = {"first_name", "last_name", "username", "email", "etablissement",
                "etablissement_id", "is_active", "status"}


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, created: bool, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not set(update_fields) & _USER_FIELDS):
        return
    people.entry_for(instance)


@receiver(post_save, sender=Etablissement)
def etablissement_saved(sender, instance: Etablissement, created: bool, raw=False, **kwargs):
    if raw:
        return
    if created:
        Etablissement.objects.filter(pk=instance.pk).update(search_key=etablissement_key(instance))
    else:
        people.refresh_etablissement(instance)


@receiver(pre_save, sender=DistributionList)
def list_saved(sender, instance: DistributionList, raw=False, **kwargs):
    instance.search_key = list_key(instance.name, instance.address)


def _entry_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Person):
        people.refresh_keys(instance)
    else:
        for person in Person.objects.filter(pk__in=pk_set or ()).select_related("user"):
            people.refresh_keys(person)


for _relation in (Person.etablissements, Person.functions, Person.disciplines):
    m2m_changed.connect(_entry_changed, sender=_relation.through,
                        dispatch_uid=f"directory-{_relation.field.name}")
