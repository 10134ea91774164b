"""In-app notices about one's own account, shown in the header until read."""

from collections.abc import Callable

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


def notify_grouped(user, kind: str, title: str, body: str, link: str = "", link_text: str = "",
                   *, summarise: Callable[[int], str]) -> Notice | None:
    """One notice a day per kind, counting: the second and later ones of the day update it
    (unread again, ``summarise(count)`` then the latest details) and return None, so the
    caller mails only the first."""
    today = Notice.objects.filter(user=user, kind=kind,
                                  created_at__date=timezone.localdate())  # fmt: skip
    existing = today.order_by("-created_at").first()
    if existing is None:
        notice = notify(user, title, body, link, link_text)
        Notice.objects.filter(pk=notice.pk).update(kind=kind)
        return notice
    count = existing.count + 1
    Notice.objects.filter(pk=existing.pk).update(
        count=count, body=f"{summarise(count)} {body}", link=link, link_text=link_text,
        read_at=None,
    )
    return None


def unread_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user) -> None:
    Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
