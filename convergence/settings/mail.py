"""Mail: one block per protocol (IMAP and Dovecot, the SMTP gateway, spool and delivery,
spamd), every endpoint overridable; what the webmail and mail clients are told."""

from pathlib import Path

from convergence.env import backends, endpoints, env, env_bool, env_int, env_list
from convergence.settings.base import VAR_DIR

MAIL_DOMAINS = env_list("MAIL_DOMAINS", ["ac-demo.test"])
MAIL_DOMAIN = MAIL_DOMAINS[0]
IMAP_HOST = env("IMAP_HOST", "127.0.0.1")
IMAP_PORT = env_int("IMAP_PORT", 1143)
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 10)
IMAP_IDLE_SECONDS = env_int("IMAP_IDLE_SECONDS", 300)
DOVECOT_DIR = Path(env("DOVECOT_DIR", str(VAR_DIR / "dovecot")))
LMTP_SOCKET = env("LMTP_SOCKET", str(DOVECOT_DIR / "run" / "lmtp"))
# Dovecot over the network: "host:port" lists, tried in this order until one answers (several
# Dovecot proxies, say). An empty IMAP_HOSTS means IMAP_HOST:IMAP_PORT, an empty LMTP_HOSTS
# the LMTP_SOCKET above (the embedded default).
IMAP_HOSTS = endpoints("IMAP_HOSTS", [])
LMTP_HOSTS = endpoints("LMTP_HOSTS", [])
# Seconds an LMTP connection on TCP may wait for Dovecot (DATA: indexing a large message).
LMTP_TIMEOUT = env_int("LMTP_TIMEOUT", 120)
# The address the Dovecot started by `render_dovecot` or devstack listens on ("*" in a
# container).
DOVECOT_LISTEN = env("DOVECOT_LISTEN", "127.0.0.1")
# Where that Dovecot logs (empty: dovecot.log in DOVECOT_DIR; /dev/stderr in a container).
DOVECOT_LOG_PATH = env("DOVECOT_LOG_PATH", "")
# Dovecot's LMTP on TCP besides its socket (0: socket only), for the Dovecot that
# `render_dovecot` and devstack/dovecot.py start.
LMTP_PORT = env_int("LMTP_PORT", 0)
# Several Dovecot backends behind a Dovecot proxy: "name=host:imap_port:lmtp_port", comma-
# separated. The proxy sends each mailbox to the backend named in accounts.DovecotHome, to
# the first one when none is. Empty: one Dovecot, no proxy.
DOVECOT_BACKENDS = backends("DOVECOT_BACKENDS")
# Addresses (CIDR, comma-separated) whose connections a Dovecot backend trusts to
# name the real client (its proxies): the sign-in lockout and the per-IP delay then count
# the client's address, not the proxy's (Dovecot's login_trusted_networks).
DOVECOT_TRUSTED_NETWORKS = env_list("DOVECOT_TRUSTED_NETWORKS", [])
DOVECOT_MASTER_USER = env("DOVECOT_MASTER_USER", "convergence")
# Dovecot's per-IP delay after failed logins. Off only in the tests, whose wrong passwords
# come from 127.0.0.1 like the webmail's own logins.
DOVECOT_AUTH_PENALTY = env_bool("DOVECOT_AUTH_PENALTY", True)
# The web app's /compte/interne/politique-dovecot/ as Dovecot reaches it: failed IMAP logins
# then count toward the web sign-in's lockout (accounts/mail_logins.py). Empty: not asked.
DOVECOT_AUTH_POLICY_URL = env("DOVECOT_AUTH_POLICY_URL", "")
GATEWAY_HOST = env("GATEWAY_HOST", "127.0.0.1")
GATEWAY_INBOUND_PORT = env_int("GATEWAY_INBOUND_PORT", 2525)
GATEWAY_SUBMISSION_PORT = env_int("GATEWAY_SUBMISSION_PORT", 2587)
# TLS of the gateway and Dovecot: a PEM certificate (chain) and its key. Empty: plain text
# only, acceptable on loopback; `make run` and the tests make a self-signed pair
# (devstack/tls.py). With a certificate, both SMTP ports offer STARTTLS, and the implicit-TLS
# ports below (0: off) listen: submission as on 465, IMAP as on 993.
TLS_CERT_FILE = env("TLS_CERT_FILE", "")
TLS_KEY_FILE = env("TLS_KEY_FILE", "")
GATEWAY_SUBMISSIONS_PORT = env_int("GATEWAY_SUBMISSIONS_PORT", 0)
IMAPS_PORT = env_int("IMAPS_PORT", 0)
# AUTH on the submission port only inside TLS (STARTTLS first); needs TLS_CERT_FILE.
GATEWAY_REQUIRE_TLS = env_bool("GATEWAY_REQUIRE_TLS", False)
GATEWAY_MAX_MESSAGE_SIZE = env_int("GATEWAY_MAX_MESSAGE_SIZE", 25 * 1024 * 1024)
# Abuse limits of both ports: open connections (421 beyond), recipients per message (452
# beyond; RFC 5321 asks for at least 100), seconds a connection may stay silent.
GATEWAY_MAX_CONNECTIONS = env_int("GATEWAY_MAX_CONNECTIONS", 200)
GATEWAY_MAX_CONNECTIONS_PER_IP = env_int("GATEWAY_MAX_CONNECTIONS_PER_IP", 20)
GATEWAY_MAX_RECIPIENTS = env_int("GATEWAY_MAX_RECIPIENTS", 100)
GATEWAY_IDLE_SECONDS = env_int("GATEWAY_IDLE_SECONDS", 60)
# A sender that did not hear a 250 (the gateway died after its commit) sends again: the same
# Message-ID, envelope and content within this delay (Postfix's queue lifetime) is answered
# 250 without a second copy (mail.pipeline.spool).
GATEWAY_RESEND_WINDOW_SECONDS = env_int("GATEWAY_RESEND_WINDOW_SECONDS", 5 * 24 * 3600)
# Where the spool's files and the files sent as links were kept before migration mail.0011
# moved them into the database (mail/models/stored.py): read by that migration only.
SPOOL_DIR = Path(env("SPOOL_DIR", str(VAR_DIR / "spool")))
SHARED_FILES_DIR = Path(env("SHARED_FILES_DIR", str(VAR_DIR / "shared")))
# A pending message untouched for this long is queued again by the periodic sweep.
SPOOL_STALLED_SECONDS = env_int("SPOOL_STALLED_SECONDS", 300)
DELIVERY_CLAIM_SECONDS = env_int("DELIVERY_CLAIM_SECONDS", 120)
# How long a task's claim on a message it sends (submit, then file in Sent) lasts: far longer
# than any step can run (the SMTP client's 30 s per exchange), so only a killed worker's
# message is taken again, after this long.
SEND_CLAIM_SECONDS = env_int("SEND_CLAIM_SECONDS", 600)
# Fault-injection hook for the tests only, 0 (off) in production: the worker waits this long
# after Dovecot stored a message and before it records the recipients as served, so a test
# can kill it inside that window.
DELIVERY_FAULT_PAUSE_SECONDS = env_int("DELIVERY_FAULT_PAUSE_SECONDS", 0)
# External mail goes to this smarthost; without one it is captured in the spool (the
# database), never sent.
SMARTHOST = env("SMARTHOST", "")
# Attachments above this size leave as a link to the académie's own storage instead.
LARGE_ATTACHMENT_BYTES = env_int("LARGE_ATTACHMENT_BYTES", 10 * 1024 * 1024)
SHARED_FILE_MAX_BYTES = env_int("SHARED_FILE_MAX_BYTES", 200 * 1024 * 1024)
SHARED_FILE_DAYS = env_int("SHARED_FILE_DAYS", 30)
# How links in messages name this site (shared files); the address people open.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The block a signature can add at the user's request (legal notice, confidentiality).
ACADEMIE_MENTIONS = env(
    "ACADEMIE_MENTIONS",
    "Ce message et ses pièces jointes sont destinés à leurs seuls destinataires. "
    "Si vous l'avez reçu par erreur, merci de le signaler à l'expéditeur et de le supprimer.",
)
# «Droit à la déconnexion»: outside these hours and days (ISO weekdays, Monday = 1), a
# message to colleagues waits for the next working morning. Empty WORKING_HOURS: no hold.
WORKING_HOURS = env("WORKING_HOURS", "08:00-18:00")
WORKING_DAYS = [int(day) for day in env_list("WORKING_DAYS", ["1", "2", "3", "4", "5"])]
# How often an open webmail page asks whether new mail arrived.
NOTICE_POLL_SECONDS = env_int("NOTICE_POLL_SECONDS", 30)
# The sender of the académie's automatic mail (recovery codes, inactivity warnings).
SYSTEM_MAIL_FROM = env("SYSTEM_MAIL_FROM", f"ne-pas-repondre@{MAIL_DOMAIN}")
# Only the tests serve images from loopback; in production the proxy refuses private addresses.
IMAGE_PROXY_ALLOW_PRIVATE = env_bool("IMAGE_PROXY_ALLOW_PRIVATE", False)

# --- Spam: SpamAssassin's spamd, spoken to by mail/spam.py only ----------------------------
SPAMD_HOST = env("SPAMD_HOST", "127.0.0.1")
SPAMD_PORT = env_int("SPAMD_PORT", 1783)
SPAMD_TIMEOUT = env_int("SPAMD_TIMEOUT", 30)
# The development spamd's Bayes databases (one directory per mailbox) and log.
SPAMD_DIR = Path(env("SPAMD_DIR", str(VAR_DIR / "spamassassin")))
# At or above this score a message goes to the recipient's Junk folder.
SPAM_THRESHOLD = float(env("SPAM_THRESHOLD", "5.0"))
# Larger messages are delivered unscored, as spamc does (spam is small; scanning is costly).
SPAM_MAX_BYTES = env_int("SPAM_MAX_BYTES", 500 * 1024)
# Messages a mailbox must have learned of each kind before its Bayes filter counts
# (SpamAssassin's bayes_min_spam_num / bayes_min_ham_num); only the tests lower it.
SPAM_BAYES_MIN_LEARNED = env_int("SPAM_BAYES_MIN_LEARNED", 200)
# «Signaler un hameçonnage» forwards the message here.
SECURITY_REPORT_ADDRESS = env("SECURITY_REPORT_ADDRESS", f"securite@{MAIL_DOMAIN}")
# A message whose delivery fails this many times stops retrying and waits for IT support.
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 100)

# --- What mail clients are told (accounts/mobile.py): the public names and ports of IMAP,
# submission and CalDAV, which differ from the loopback addresses the web app uses. Security:
# "ssl" (implicit TLS), "starttls" or "none" (only acceptable on loopback, in development).
MAIL_CLIENT_IMAP_HOST = env("MAIL_CLIENT_IMAP_HOST", IMAP_HOST)
MAIL_CLIENT_IMAP_PORT = env_int("MAIL_CLIENT_IMAP_PORT", IMAP_PORT)
MAIL_CLIENT_IMAP_SECURITY = env("MAIL_CLIENT_IMAP_SECURITY", "none")
MAIL_CLIENT_SMTP_HOST = env("MAIL_CLIENT_SMTP_HOST", GATEWAY_HOST)
MAIL_CLIENT_SMTP_PORT = env_int("MAIL_CLIENT_SMTP_PORT", GATEWAY_SUBMISSION_PORT)
MAIL_CLIENT_SMTP_SECURITY = env("MAIL_CLIENT_SMTP_SECURITY", "none")
MAIL_CLIENT_CALDAV_URL = env("MAIL_CLIENT_CALDAV_URL", "") or f"{PUBLIC_BASE_URL}/dav/"
