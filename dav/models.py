"""What Radicale's hook records of the store: never the data, only that it changed."""

from django.conf import settings
from django.db import models


class CollectionVersion(models.Model):
    """How many changes one collection has seen. Radicale's hook adds one in the request that
    made the change, before that request is answered (dav/changes.py): a derived index that
    remembers the number it caught up with knows at once whether it is behind."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, to_field="username", db_column="owner",
                              on_delete=models.CASCADE, related_name="+")  # fmt: skip
    collection = models.CharField(max_length=200)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "collection"],
                                               name="collection_version")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.collection} {self.version}"
