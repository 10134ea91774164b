"""The academic account: a login such as ``prof.demo``, a category, an établissement, a status."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

login_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9.\-]{1,62}$",
    _("Use lower-case letters, digits, dots and hyphens."),
)


class User(AbstractUser):
    class Category(models.TextChoices):
        TEACHER_PRIMARY = "enseignant_1d", _("Primary school teacher")
        TEACHER_SECONDARY = "enseignant_2d", _("Secondary school teacher")
        ADMIN_STAFF = "administratif", _("Administrative staff")
        TECHNICAL_STAFF = "technique", _("Technical staff")
        IT_SUPPORT = "support", _("IT support")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LOCKED = "locked", _("Locked")
        SUSPENDED = "suspended", _("Suspended for inactivity")
        DISABLED = "disabled", _("Disabled")

    username = models.CharField(
        _("academic login"), max_length=64, unique=True, validators=[login_validator]
    )
    email = models.EmailField(_("e-mail address"), unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    etablissement = models.ForeignKey(
        "directory.Etablissement",
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    # Keyed hash only (accounts.numen): the NUMEN itself is never stored.
    numen_hash = models.CharField(_("NUMEN (keyed hash)"), max_length=64, blank=True, db_index=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # A personal address registered in advance: recovery never goes through the lost mailbox.
    recovery_email = models.EmailField(_("recovery address"), blank=True)
    must_change_password = models.BooleanField(_("must change password at next login"),
                                               default=False)

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.status == self.Status.ACTIVE

    @property
    def is_it_support(self) -> bool:
        """Opens the IT-support console (the header shows it the way there)."""
        return self.can_log_in and self.category == self.Category.IT_SUPPORT


class Preferences(models.Model):
    """How one person likes their webmail; created with defaults on first use."""

    class MarkRead(models.IntegerChoices):
        AT_ONCE = 0, _("As soon as it is opened")
        AFTER_3 = 3, _("After 3 seconds")
        AFTER_10 = 10, _("After 10 seconds")
        NEVER = -1, _("Never (I mark messages myself)")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preferences")
    page_size = models.PositiveSmallIntegerField(
        _("messages per page"), default=50, choices=[(n, str(n)) for n in (25, 50, 100, 200)]
    )
    reading_pane = models.BooleanField(_("reading pane beside the list"), default=False)
    conversations = models.BooleanField(_("group messages by conversation"), default=False)
    prefer_html = models.BooleanField(_("show formatted (HTML) messages"), default=True)
    mark_read = models.SmallIntegerField(
        _("mark as read"), choices=MarkRead.choices, default=MarkRead.AT_ONCE
    )
    undo_send_seconds = models.PositiveSmallIntegerField(
        _("time to cancel a message after «Envoyer»"),
        default=5,
        choices=[(0, _("No delay")), (5, _("5 seconds")), (10, _("10 seconds")),
                 (30, _("30 seconds"))],
    )
    language = models.CharField(_("language"), max_length=8, default="fr")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")

    def __str__(self) -> str:
        return f"preferences of {self.user}"

    @classmethod
    def of(cls, user) -> "Preferences":
        return cls.objects.get_or_create(user=user)[0]


APP_PASSWORD_ACTIONS = {
    "created": _("App password created"),
    "revoked": _("App password revoked"),
    "revoked_all": _("All app passwords revoked"),
}


class AccountEvent(models.Model):
    """One line of the append-only account audit log (accounts.audit.record writes it)."""

    class Kind(models.TextChoices):
        LOGIN_OK = "login_ok", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKED = "locked", _("Account locked")
        UNLOCKED = "unlocked", _("Account unlocked")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        MFA_ENABLED = "mfa_enabled", _("Two-step verification turned on")
        MFA_DISABLED = "mfa_disabled", _("Two-step verification turned off")
        APP_PASSWORD = "app_password", _("App password created or revoked")
        SESSION_ENDED = "session_ended", _("Session ended")
        NEW_DEVICE = "new_device", _("Sign-in from a new device")
        RECOVERY = "recovery", _("Account recovery")
        SUPPORT_ACTION = "support_action", _("Action by IT support")
        SUSPENDED = "suspended", _("Suspended for inactivity")
        REACTIVATED = "reactivated", _("Reactivated")
        AGENDA_SHARING = "agenda_sharing", _("Agenda shared, delegated or answered for")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, null=True,
        related_name="events",
    )
    # What was typed at the login form when it matched no account (never shown to users).
    login = models.CharField(_("login typed"), max_length=254, blank=True)
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("done by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.user_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The account audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The account audit log is append-only.")

    @property
    def title(self) -> str:
        """The kind of event, precise where one kind covers several things."""
        action = (self.details or {}).get("action")
        if self.kind == self.Kind.APP_PASSWORD and action in APP_PASSWORD_ACTIONS:
            return str(APP_PASSWORD_ACTIONS[action])
        return self.get_kind_display()


class Notice(models.Model):
    """Something the person must know about their account (new sign-in, action by support)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    link_text = models.CharField(_("link text"), max_length=100, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Notices of one kind («nouvelle connexion»…) are grouped: one a day, counting.
    kind = models.CharField(_("kind"), max_length=24, blank=True)
    count = models.PositiveIntegerField(_("how many"), default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "kind"])]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class AppPassword(models.Model):
    """A password for one phone or desktop client (IMAP and SMTP cannot ask for a second factor).

    Only its Argon2id hash is kept, in the scheme Dovecot verifies; ``prefix`` (the first group,
    also stored in clear) lets Dovecot's SQL passdb pick the row from the typed password.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="app_passwords")
    label = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8)
    password = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "prefix"], name="app_password_prefix_unique")
        ]
        verbose_name = _("app password")
        verbose_name_plural = _("app passwords")

    def __str__(self) -> str:
        return self.label


class AppPasswordUse(models.Model):
    """When an app password last opened a session: written by Dovecot's last_login plugin
    (through its SQL dict, deploy/dovecot-dict-sql.conf.ext.template) and by the gateway."""

    app_password = models.OneToOneField(
        AppPassword, primary_key=True, on_delete=models.CASCADE, related_name="use"
    )
    # Unix seconds: the value Dovecot's last_login plugin writes.
    used_at = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.app_password_id} {self.used_at}"


class KnownDevice(models.Model):
    """A browser this person has signed in from: a long-lived signed cookie plus the kind of
    browser (accounts.devices). A sign-in from an unknown one sends a «nouvelle connexion»."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    # SHA-256 of the cookie's random id: the database never holds a usable cookie value.
    device_hash = models.CharField(max_length=64)
    label = models.CharField(_("device"), max_length=100)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "device_hash"], name="known_device_unique")
        ]
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")

    def __str__(self) -> str:
        return self.label


class OneTimeCode(models.Model):
    """A short code sent to a personal address, to check that address or to recover the
    account. Only a keyed hash of the code is kept (accounts.codes)."""

    class Purpose(models.TextChoices):
        VERIFY_ADDRESS = "verify_address", _("Check of the recovery address")
        RECOVERY = "recovery", _("Account recovery")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    sent_to = models.EmailField()
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.user_id}"


class InactivityState(models.Model):
    """What the inactivity job needs beyond last_login: when support last reactivated the
    account (so it is not suspended again at once) and when its owner was warned."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="inactivity"
    )
    reactivated_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"inactivity of {self.user_id}"


class LoginThrottle(models.Model):
    """Failed sign-ins of one account, typed login or IP in the current window, and until when
    it must wait (accounts/lockout.py). In the database: a Redis restart forgets nothing."""

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField()
    wait_until = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class DovecotHome(models.Model):
    """Which Dovecot backend holds a mailbox, by Dovecot user name (personal or functional):
    the Dovecot proxy's passdb reads this table (deploy/dovecot-sql-proxy.conf.ext). A
    mailbox without a row lives on the first of DOVECOT_BACKENDS. Changing a row does not
    move the mail: that is `doveadm sync` between the two backends, before the change."""

    imap_user = models.CharField(_("IMAP user"), max_length=128, unique=True)
    backend = models.CharField(_("Dovecot backend"), max_length=64, db_index=True)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now=True)

    class Meta:
        verbose_name = _("mailbox home")
        verbose_name_plural = _("mailbox homes")

    def __str__(self) -> str:
        return f"{self.imap_user} → {self.backend}"
