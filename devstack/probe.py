"""Health checks of docker-compose.yml, without Django (each runs every few seconds).
`python -m devstack.probe` and then:
  banner HOST PORT PREFIX   the server greets with PREFIX (SMTP "220", IMAP "* OK")
  spamd HOST PORT           spamd answers PING with PONG
  tcp HOST PORT             something accepts connections
  http URL                  the page answers 200, asked as the public site behind its TLS
                            proxy would ask (first DJANGO_ALLOWED_HOSTS, https)"""

import os
import socket
import sys
import urllib.request


def banner(host: str, port: int, prefix: str, timeout: float = 5) -> bool:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        return sock.recv(256).decode(errors="replace").startswith(prefix)


def spamd(host: str, port: int, timeout: float = 5) -> bool:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(b"PING SPAMC/1.5\r\n\r\n")
        return b"PONG" in sock.recv(256)


def tcp(host: str, port: int, timeout: float = 5) -> bool:
    with socket.create_connection((host, port), timeout=timeout):
        return True


def page(url: str, timeout: float = 10) -> bool:
    host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    request = urllib.request.Request(  # noqa: S310 - a loopback URL of our own command line
        url, headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status == 200


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["banner"] and len(argv) == 4:
            return 0 if banner(argv[1], int(argv[2]), argv[3]) else 1
        if argv[:1] == ["spamd"] and len(argv) == 3:
            return 0 if spamd(argv[1], int(argv[2])) else 1
        if argv[:1] == ["tcp"] and len(argv) == 3:
            return 0 if tcp(argv[1], int(argv[2])) else 1
        if argv[:1] == ["http"] and len(argv) == 2:
            return 0 if page(argv[1]) else 1
    except OSError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
