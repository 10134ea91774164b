"""Django settings for Convergence, one module per integration. Everything comes from the
environment with safe defaults (README, «Environment variables»). The modules are read in
this order; each imports by name what it uses from the ones above it. A new integration
(an agenda server, a directory) gets its own module, imported here."""

# ruff: noqa: F403, I001 - the order below is the reading order, not the alphabet
from convergence.settings.base import *
from convergence.settings.generated import *
from convergence.settings.accounts import *
from convergence.settings.mail import *
from convergence.settings.celery import *
from convergence.settings.public_notices import *
from convergence.settings.caldav import *
