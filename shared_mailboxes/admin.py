from django.contrib import admin

from shared_mailboxes.models import AuditEntry, FolderAddress, RoleGrant


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["mailbox", "category", "etablissement", "can_read", "can_manage",
                    "can_send_as", "can_send_on_behalf", "can_administer"]  # fmt: skip
    list_filter = ["category"]


@admin.register(FolderAddress)
class FolderAddressAdmin(admin.ModelAdmin):
    list_display = ["address", "mailbox", "folder"]
    search_fields = ["address"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the journal is append-only."""

    list_display = ["created_at", "mailbox", "user", "action", "subject", "message_id"]
    list_filter = ["action"]
    search_fields = ["message_id", "subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
