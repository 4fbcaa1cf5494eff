"""Throwaway databases for tests: built by the Alembic migrations (never `create_all`), on
SQLite files and on a real PostgreSQL cluster, plus a Redis server; all on loopback.

PostgreSQL and Redis come from Debian's packages (.ci/run installs them); a machine without
them skips the tests that need them, with a reason.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60.0


def migrate_database(url: str) -> None:
    """`alembic upgrade head` on `url`, as the assistant does it (bot.schema)."""
    from bot.schema import migrate

    migrate(url)


def copy_sqlite_database(template_url: str, target: Path) -> str:
    """A copy of a migrated SQLite file (much faster than migrating again); its URL."""
    from sqlalchemy.engine import make_url

    from bot.db import get_engine

    get_engine(template_url).dispose()  # no open connection: the copy sees every committed page
    shutil.copyfile(str(make_url(template_url).database), target)
    return f"sqlite:///{target}"


def seed_database(env: Dict[str, str]) -> None:
    """`python -m bot.cli seed` as `make db` runs it, on the database named by env."""
    result = subprocess.run([sys.executable, "-m", "bot.cli", "seed"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"bot.cli seed failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def postgres_bin_dir() -> Optional[Path]:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, if any."""
    candidates = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")
                  if os.access(Path(p) / "initdb", os.X_OK) and os.access(Path(p) / "pg_ctl", os.X_OK)]
    candidates.sort(key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)
    return candidates[-1] if candidates else None


def _wait_for_port(port: int, process: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"server on port {port} exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {START_TIMEOUT_SECONDS}s")
            time.sleep(0.1)


class PostgresCluster:
    """A private PostgreSQL cluster in a temp dir; as root, run as the `postgres` user
    (initdb refuses root), so the dir is made outside pytest's root-only tmp tree."""

    def __init__(self, bin_dir: Path, port: int) -> None:
        self.bin_dir, self.port = bin_dir, port
        self.base = Path(tempfile.mkdtemp(prefix="civic-pg-"))
        self.data_dir = self.base / "data"
        self.log_path = self.base / "postgres.log"
        self.run_as: List[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.base, account.pw_uid, account.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self.run_as, *command], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> "PostgresCluster":
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "civic",
                  "--auth=trust", "--encoding=UTF8", "--no-sync")
        self.resume()
        return self

    def resume(self) -> None:
        """Start the server on the existing data directory (after `halt`, or first start)."""
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-o", options,
                  "-l", str(self.log_path), "-w", "-t", str(int(START_TIMEOUT_SECONDS)), "start")

    def halt(self) -> None:
        """Stop the server as a crash would (immediate: clients are cut off), keeping the data:
        the database is down until `resume`."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                  "-w", "stop")

    def postmaster_pid(self) -> int:
        """The server's main process (its backends are its children)."""
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        self._run(str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "civic", name)
        return f"postgresql://civic@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.data_dir.exists():
            subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir),
                            "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


class RedisServer:
    """redis-server on a loopback port, no persistence."""

    def __init__(self, executable: str, port: int) -> None:
        self.executable, self.port = executable, port
        self.base = Path(tempfile.mkdtemp(prefix="civic-redis-"))
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, self.process)
        return self

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)
