"""In-app notices about one's own account, shown in the header until read."""

from django.utils import timezone

from accounts.models import Notice


def notify(user, title: str, body: str = "", link: str = "", link_text: str = "") -> Notice:
    """Title and body are stored already translated: notices are written for one reader.
    A title too long for its column (a long translation) is shortened, never refused."""
    limit = Notice._meta.get_field("title").max_length
    if len(title) > limit:
        title = title[: limit - 1] + "…"
    return Notice.objects.create(user=user, title=title, body=body, link=link,
                                 link_text=link_text)


def unread_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user) -> None:
    Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
