from django.contrib import admin

from mail.models import Mailbox, MailboxMember, SpooledMessage, stored


class MemberInline(admin.TabularInline):
    model = MailboxMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["address", "display_name", "kind", "etablissement"]
    list_filter = ["kind"]
    search_fields = ["address", "display_name"]
    inlines = [MemberInline]


@admin.register(SpooledMessage)
class SpooledMessageAdmin(admin.ModelAdmin):
    """Also where captured external mail is read in development (it is never sent)."""

    list_display = ["id", "received_at", "mail_from", "recipients", "status", "attempts"]
    list_filter = ["status"]
    readonly_fields = [*(f.name for f in SpooledMessage._meta.fields), "content"]

    @admin.display(description="message")
    def content(self, obj: SpooledMessage) -> str:
        try:
            return stored.first_bytes(obj.chunks, 200_000).decode("utf-8", "replace")
        except stored.ContentMissing:
            return "—"
