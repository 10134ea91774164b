"""The NUMEN (national staff number) is kept only as a keyed hash, never in clear."""

import hashlib
import hmac

from django.conf import settings


def numen_hash(numen: str) -> str:
    normalised = "".join(numen.split()).upper()
    key = settings.NUMEN_HASH_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
