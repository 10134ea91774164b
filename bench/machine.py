"""What the numbers were measured on."""

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import django


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":" if ":" in line else "=")
            if name.strip() == key:
                return value.strip().strip('"')
    except OSError:
        pass
    return "unknown"


def run_tool(*args: str) -> str:
    """A command's output; its error output in the exception when it fails."""
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def _command(*args: str) -> str:
    try:
        return run_tool(*args).strip() or "unknown"
    except (OSError, RuntimeError):
        return "unknown"


@dataclass(frozen=True)
class Machine:
    date: str
    cpu: str
    cores: int
    ram_gib: float
    system: str
    python: str
    django: str
    dovecot: str
    fts_xapian: str

    def lines(self) -> list[str]:
        return [
            f"Date: {self.date}",
            f"CPU: {self.cpu}, {self.cores} cores; RAM: {self.ram_gib:.1f} GiB",
            f"System: {self.system}",
            f"Python {self.python}, Django {self.django}, Dovecot {self.dovecot}, "
            f"fts-xapian {self.fts_xapian}",
        ]


def describe() -> Machine:
    memory = _first("/proc/meminfo", "MemTotal").split()[0]
    return Machine(
        date=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        cpu=_first("/proc/cpuinfo", "model name"),
        cores=os.cpu_count() or 1,
        ram_gib=int(memory) / 1024**2 if memory.isdigit() else 0.0,
        system=f"{_first('/etc/os-release', 'PRETTY_NAME')}, Linux {platform.release()}",
        python=platform.python_version(),
        django=django.get_version(),
        dovecot=_command("dovecot", "--version"),
        fts_xapian=_command("dpkg-query", "-W", "-f", "${Version}", "dovecot-fts-xapian"),
    )
