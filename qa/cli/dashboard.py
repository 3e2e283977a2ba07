"""Commands that serve people: dashboard, hash-password."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from qa.cli.common import add_config, add_db
from qa.config import load_config
from qa.errors import QAError

# app.py behind a gate on /media and Streamlit's own endpoints (dashboards/gate.py)
APP = Path(__file__).resolve().parents[2] / "dashboards" / "server.py"


def _dashboard(args: argparse.Namespace) -> int:
    import importlib.util

    load_config(args.config)  # a bad config fails here, with its one-line reason
    if importlib.util.find_spec("streamlit") is None:
        raise QAError("the dashboard needs Streamlit: pip install 'callqa[dashboard]'")
    if not Path(args.db).is_file():
        raise QAError(f"{args.db}: no such database (run `callqa run ... --db {args.db}` first)")
    env = os.environ | {"CALLQA_DB": str(Path(args.db).resolve())}
    if args.config:
        env["CALLQA_CONFIG"] = str(Path(args.config).resolve())
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(args.port),
               "--server.address", args.address, "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
               "--server.fileWatcherType", "none",
               # a closed tab's session (and what it showed) goes after a minute, not two
               "--server.disconnectedSessionTTL", "60"]
    print(f"callqa dashboard: http://{args.address}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    sys.stderr.flush()
    os.execve(sys.executable, command, env)  # the server replaces this process: signals reach it directly


def _hash_password(args: argparse.Namespace) -> int:
    import getpass

    from qa.auth import hash_password

    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("password: ")
    if not password:
        raise QAError("empty password")
    print(hash_password(password))
    return 0


def add_commands(commands) -> None:
    dashboard = commands.add_parser("dashboard", help="open the Streamlit dashboard (supervisors, QA review)")
    add_db(dashboard)
    dashboard.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    dashboard.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add_config(dashboard, "TOML config file ([dashboard] users, audio_dirs)")
    dashboard.set_defaults(handler=_dashboard)

    hashing = commands.add_parser("hash-password", help="print a password hash for a dashboard users file")
    hashing.set_defaults(handler=_hash_password)
