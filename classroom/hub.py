"""`make hub`: a JupyterHub for a class on this machine, with the collection in every student's home.

    make hub                         # workshop: one shared password, everyone on 127.0.0.1:8000
    make hub IP=0.0.0.0 PORT=8000    # reachable from the room's network (plain HTTP: see the README)
    make hub ACCOUNTS=unix           # as root: one Unix account per student (members of group 'students')

It builds (or reuses) the students' shared environment ``.hub/env`` (classroom/shared_env.py), then
runs JupyterHub from it with classroom/jupyterhub_config.py, and prints the login address and the
nbgitpuller link that gives each student their own copy of the notebooks. Ctrl-C stops the hub, and
the hub stops every student's server and kernel and the proxy.

The link pulls from this repository's current branch (committed work only) through a local
``file://`` URL, so the hub works offline; ``--repo`` names another git URL (a fork on GitHub, say).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import shared_env  # noqa: E402
from link import nbgitpuller_link  # noqa: E402

HUB = ROOT / ".hub"


def current_branch(repo: Path = ROOT) -> str:
    done = subprocess.run(["git", "-C", str(repo), "rev-parse", "--abbrev-ref", "HEAD"],
                          capture_output=True, text=True)
    branch = done.stdout.strip()
    if done.returncode != 0 or branch in {"", "HEAD"}:
        sys.exit("make hub: this repository has no current branch (detached HEAD?); "
                 "pass one: make hub HUB_ARGS='--branch main'")
    return branch


def port_free(ip: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


def password(state: Path) -> str:
    """The class's shared password: $TE_HUB_PASSWORD, else one made on first start and kept in .hub/state."""
    given = os.environ.get("TE_HUB_PASSWORD")
    if given:
        return given
    kept = state / "password"
    if not kept.is_file():
        state.mkdir(parents=True, exist_ok=True)
        kept.write_text(secrets.token_urlsafe(9) + "\n")
        kept.chmod(0o600)
    return kept.read_text().strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", choices=["workshop", "unix"], default="workshop")
    parser.add_argument("--ip", default="127.0.0.1", help="address students connect to (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--repo", help="git URL students pull from (default: this repository, file://)")
    parser.add_argument("--branch", help="branch to pull (default: the current branch)")
    parser.add_argument("--yes-students-run-as-root", action="store_true",
                        help="workshop mode as root: accept that students' kernels run as root")
    args = parser.parse_args(argv)

    if args.accounts == "workshop" and os.geteuid() == 0 and not args.yes_students_run_as_root:
        sys.exit("make hub: you are root, and in workshop mode every student's kernel runs as the user who "
                 "started the hub, so students would be root on this machine.\n"
                 "  Run `make hub` as an ordinary user, or\n"
                 "  use one Unix account per student: make hub ACCOUNTS=unix (classroom/README.md), or\n"
                 "  on a throwaway machine or container only: make hub HUB_ARGS=--yes-students-run-as-root")
    for port in (args.port, args.port + 1, args.port + 2):
        if not port_free("127.0.0.1" if args.ip == "0.0.0.0" else args.ip, port):
            sys.exit(f"make hub: port {port} is in use (the hub needs {args.port}..{args.port + 2}); "
                     f"choose another: make hub PORT=9000")

    env = shared_env.build(HUB / "env")
    state = HUB / "state"
    variables = {"TE_HUB_ENV": str(env), "TE_HUB_STATE": str(state), "TE_HUB_HOMES": str(HUB / "homes"),
                 "TE_HUB_ACCOUNTS": args.accounts, "TE_HUB_IP": args.ip, "TE_HUB_PORT": str(args.port)}
    if args.accounts == "workshop":
        variables["TE_HUB_PASSWORD"] = password(state)

    repo = args.repo or f"file://{ROOT}"
    if repo.startswith("file://"):
        variables["TE_HUB_LOCAL_REPOS"] = repo.removeprefix("file://")
    branch = args.branch or current_branch()
    shown = "127.0.0.1" if args.ip in {"0.0.0.0", ""} else args.ip
    url = f"http://{shown}:{args.port}"
    print(f"\nThe class's hub: {url}/hub/login", flush=True)
    if args.accounts == "workshop":
        print(f"  any user name (lower case), shared password: {variables['TE_HUB_PASSWORD']}")
    else:
        print(f"  students log in with their Unix account (group {os.environ.get('TE_HUB_GROUP', 'students')})")
    print(f"The link for students (login, copy of the notebooks, notebook 00):\n  {nbgitpuller_link(url, repo, branch)}")
    print("Ctrl-C stops the hub and every student's server.\n", flush=True)
    hub = str(env / "bin" / "jupyterhub")
    os.chdir(state)
    os.execve(hub, [hub, "-f", str(HERE / "jupyterhub_config.py")], {**os.environ, **variables})


if __name__ == "__main__":
    sys.exit(main())
