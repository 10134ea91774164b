"""Stopping a child process and everything it started, politely first."""

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM to the child's process group, SIGKILL if it is still there after ``timeout``."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
