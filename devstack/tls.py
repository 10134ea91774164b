"""A self-signed certificate for `make run` and the tests, so that the TLS code paths of the
gateway and Dovecot run here as in production (where TLS_CERT_FILE names a real one)."""

import os
import subprocess
from pathlib import Path


def self_signed_pair(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for localhost and 127.0.0.1, made once and kept in ``directory``."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if cert.exists() and key.exists():
        return cert, key
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "825", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    os.chmod(key, 0o600)
    return cert, key


def development_environment(var_dir: Path, *, submissions_port: int, imaps_port: int) -> dict:
    """The variables that turn TLS on for the processes `make run` or the tests start."""
    cert, key = self_signed_pair(var_dir / "tls")
    return {
        "TLS_CERT_FILE": str(cert),
        "TLS_KEY_FILE": str(key),
        "GATEWAY_SUBMISSIONS_PORT": str(submissions_port),
        "IMAPS_PORT": str(imaps_port),
    }
