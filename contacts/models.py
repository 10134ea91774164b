"""The derived index of the address books, rebuilt from the CardDAV server: never the truth,
only what search, compose suggestions and duplicate finding need without asking the store."""

from django.conf import settings
from django.db import models


class IndexedContact(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    book = models.CharField(max_length=200)
    href = models.CharField(max_length=300)
    etag = models.CharField(max_length=200, blank=True)
    uid = models.CharField(max_length=300)  # as members name it («urn:uuid:» removed)
    is_group = models.BooleanField(default=False)
    name = models.CharField(max_length=300, blank=True)
    # « word word … »: the normalised words of the name, organisation and addresses.
    search_key = models.TextField(blank=True)
    emails = models.JSONField(default=list)
    email_key = models.TextField(blank=True)  # « a@b c@d »: an address found on any database
    phones = models.JSONField(default=list)
    organisation = models.CharField(max_length=300, blank=True)
    members = models.JSONField(default=list)  # UIDs, for groups

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "book", "href"], name="indexed_contact")
        ]
        indexes = [models.Index(fields=["owner", "book", "name"])]

    def __str__(self) -> str:
        return f"{self.book}/{self.href}"


class BookState(models.Model):
    """The sync token the index last caught up with, per address book."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    book = models.CharField(max_length=200)
    sync_token = models.CharField(max_length=300, blank=True)
    # Staff books (contacts.staff): the digest of the cards last written from the directory.
    source_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "book"], name="book_state")]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.book}"


class ContactImport(models.Model):
    """One import of a file into «Contacts»: kept between the preview and the confirmation,
    then worked through by the worker in chunks; its report lists every row not imported."""

    class Status(models.TextChoices):
        PREVIEW = "preview"
        RUNNING = "running"
        DONE = "done"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)  # as uploaded, for the page
    # The file, in the database (any web node shows the preview, any worker imports it);
    # gone (None) once the import is done, or when a preview waited more than a day.
    upload = models.OneToOneField("mail.KeptUpload", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    kind = models.CharField(max_length=10)  # vcard, csv
    encoding = models.CharField(max_length=30)
    mapping = models.JSONField(default=list)  # CSV: the field of each column
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)  # rows gone through (imported or refused)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)  # [[line, message], …]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.file_name}"
