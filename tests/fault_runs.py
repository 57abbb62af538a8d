"""Killing `manage.py import_data` while it writes: used by tests/test_faults.py (a few
thousand rows) and by bench/faults.py (`make faults`, larger files).

The command runs in a child process with its stderr on a pseudo-terminal, so that it
reports every batch it writes ("1,500 records written…"); it is killed with SIGKILL
after ``kill_after`` records were written inside its transaction.
"""

import csv
import os
import pty
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTRIES = ("China", "Japan", "France", "Germany", "Vietnam", "Mongolia", "Australia")
LEVELS = ("Sister city", "Friendship city")
WRITTEN = re.compile(rb"([\d,]+) records written")


def write_partners(path: Path, count: int) -> Path:
    """``count`` partners as an office's sheet lists them, each different."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["English name", "Native name", "Country", "Relationship level"])
        for n in range(count):
            writer.writerow(
                [f"Fault City {n:06d}", f"시험시 {n:06d}", COUNTRIES[n % 7], LEVELS[n % 2]]
            )
    return path


@dataclass
class Run:
    returncode: int
    seconds: float
    written_when_killed: int  # records the child said it had written; 0 if not killed
    stderr: str


def import_partners(database_url: str, path: Path, *, kill_after: int = 0) -> Run:
    """`manage.py import_data partners path` on that database; with ``kill_after``, SIGKILL
    it once it reports having written at least that many records."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    primary, secondary = pty.openpty()
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_data", "partners", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=secondary,
    )
    os.close(secondary)
    output, written = b"", 0
    try:
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal (exited)
                break
            if not chunk:
                break
            output += chunk
            counts = WRITTEN.findall(output)
            if kill_after and counts and int(counts[-1].replace(b",", b"")) >= kill_after:
                written = int(counts[-1].replace(b",", b""))
                child.send_signal(signal.SIGKILL)
                break
        returncode = child.wait(timeout=600)
    finally:
        os.close(primary)
        if child.poll() is None:
            child.kill()
    return Run(
        returncode=returncode,
        seconds=time.monotonic() - started,
        written_when_killed=written,
        stderr=output.decode("utf-8", "replace"),
    )
