# JupyterHub configuration for a class on one machine (`make hub`; see classroom/README.md).
#
# Only JupyterHub's own components: the shared-password workshop authenticator or PAM, the local
# process spawners, the Python `configurable-http-proxy` from PyPI, nbgitpuller in the students'
# environment. Settings come from environment variables, which classroom/hub.py sets:
#
#   TE_HUB_ENV       the students' shared environment (default .hub/env; classroom/shared_env.py builds it)
#   TE_HUB_STATE     the hub's database, cookie secret and proxy pid (default .hub/state)
#   TE_HUB_ACCOUNTS  workshop (default): every student runs as the Unix user who started the hub,
#                    home folders under TE_HUB_HOMES, one shared password (TE_HUB_PASSWORD);
#                    unix: one Unix account per student (the hub runs as root), PAM passwords,
#                    only members of the Unix group TE_HUB_GROUP (default "students") may log in
#   TE_HUB_IP, TE_HUB_PORT                where students connect (default 127.0.0.1:8000)
#   TE_HUB_PROXY_API_PORT, TE_HUB_HUB_PORT  internal ports (default PORT+1, PORT+2; on 127.0.0.1)
#   TE_HUB_ADMIN, TE_HUB_ADMIN_PASSWORD  optional teacher account (admin page; workshop mode)
#   TE_HUB_RUNTIME   where each student's server keeps its kernels' Unix sockets, one folder per student
#                    (default: a new folder in /tmp, removed when the hub stops; a socket's path must be
#                    short, so this path may be 23 characters at most)
#   TE_HUB_LOCAL_REPOS  local git repositories the students' links pull from (os.pathsep-separated); with
#                    per-student accounts git refuses a repository another user owns ("dubious
#                    ownership") unless it is named as safe in a system-level git config, made here
#
# What this is not: TLS (put a reverse proxy with a certificate in front, or use The Littlest
# JupyterHub), a real identity provider (OAuth/LDAP via oauthenticator/ldapauthenticator), resource
# limits per student (SystemdSpawner or Kubernetes enforce them; the local spawners do not).
import atexit
import os
import pwd
import shutil
import sys
import tempfile
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = Path(os.environ.get("TE_HUB_ENV", ROOT / ".hub" / "env")).resolve()
STATE = Path(os.environ.get("TE_HUB_STATE", ROOT / ".hub" / "state")).resolve()
HOMES = Path(os.environ.get("TE_HUB_HOMES", ROOT / ".hub" / "homes")).resolve()
ACCOUNTS = os.environ.get("TE_HUB_ACCOUNTS", "workshop")
IP = os.environ.get("TE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("TE_HUB_PORT", "8000"))
AS_ROOT = os.geteuid() == 0

if ACCOUNTS not in {"workshop", "unix"}:
    sys.exit(f"TE_HUB_ACCOUNTS must be 'workshop' or 'unix', not {ACCOUNTS!r}")
if not (ENV / "bin" / "jupyterhub-singleuser").exists():
    sys.exit(f"the students' environment {ENV} is missing; build it with `python classroom/shared_env.py {ENV}`")
STATE.mkdir(parents=True, exist_ok=True)

# --- where it listens; its state ------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("TE_HUB_HUB_PORT", PORT + 2))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# The proxy: the Python port of configurable-http-proxy (PyPI), started and stopped by the hub, through
# classroom/proxy.py, which lets it forward a whole class's requests at once (by default it forwards 10
# and answers 503 to requests queued for 20 s: measured, 40 students logging in at once).
# It passes a response on only when it is complete, and gives up on a request after 20 s unless told:
# the "server is starting" page waits on one long response (the spawn's progress), which on a busy
# machine takes longer. Allow 10 minutes; the page then moves on when the server is ready (its
# progress bar does not move meanwhile; the Node.js proxy from npm streams it).
c.ConfigurableHTTPProxy.command = [str(ENV / "bin" / "python"), str(HERE / "proxy.py"), "--proxy-timeout=600000"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('TE_HUB_PROXY_API_PORT', PORT + 1))}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server and kernels
c.JupyterHub.cleanup_proxy = True

# --- each student's server: JupyterLab from the shared environment ----------------------------------
c.Spawner.cmd = [str(ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    # The vocabularies placed, verified, in the shared environment when it was built (read-only).
    "TIKTOKEN_CACHE_DIR": str(ENV / "share" / "token-economy" / "tiktoken"),
    "PATH": f"{ENV / 'bin'}:{os.environ.get('PATH', '/usr/local/bin:/usr/bin:/bin')}",
}
c.Spawner.args = [
    # Free the memory of forgotten notebooks: kernels idle 30 min are shut down, and a server
    # with no activity for 2 h stops itself (the student's next click starts it again).
    "--MappingKernelManager.cull_idle_timeout=1800",
    "--MappingKernelManager.cull_interval=300",
    "--ServerApp.shutdown_no_activity_timeout=7200",
    # Many servers on one machine pick their kernels' ports each on its own, so two can pick the same
    # one when a class opens a notebook at once; the kernel that loses dies at start. By default
    # (cache_ports) a server keeps a kernel's ports across restarts, so that kernel dies on every
    # restart (measured: 20 students, one kernel dead after 5 restarts on the same port). Without the
    # cache, a restart at start-up takes new ports and the kernel comes back within seconds.
    "--KernelManager.cache_ports=False",
    # ... and that restart is still a failure a student can meet (and, rarely, measured at 5 and 40
    # students, a kernel stayed alive but never answered). So kernels do not use ports at all: they
    # talk to their server over Unix sockets, files in the student's runtime folder (below).
    "--KernelManager.transport=ipc",
]

# Each student's runtime folder: their server's own files and their kernels' sockets. A socket's path
# may be 107 bytes at most, and jupyter_client names it after the kernel's connection file
# (<folder>/kernel-<36-character id>-ipc-<n>, 51 characters from the slash after the folder), so the folder
# is short: <base>/<user name>, base at most 23 characters. The default base is a fresh folder in /tmp.
SOCKET_PATH_MAX, SOCKET_NAME = 107, len("/kernel-00000000-0000-0000-0000-000000000000-ipc-99")
USERNAME_MAX = 32  # username_pattern below
runtime_base = os.environ.get("TE_HUB_RUNTIME")
if runtime_base:
    RUNTIME = Path(runtime_base).resolve()
    RUNTIME.mkdir(mode=0o711, parents=True, exist_ok=True)
else:
    RUNTIME = Path(tempfile.mkdtemp(prefix="te-hub-", dir="/tmp"))
    atexit.register(shutil.rmtree, RUNTIME, ignore_errors=True)
if len(str(RUNTIME)) + 1 + USERNAME_MAX + SOCKET_NAME > SOCKET_PATH_MAX:
    sys.exit(f"TE_HUB_RUNTIME={RUNTIME} is too long for the kernels' sockets: "
             f"{SOCKET_PATH_MAX - 1 - USERNAME_MAX - SOCKET_NAME} characters at most")
if RUNTIME.stat().st_uid != os.geteuid():
    sys.exit(f"{RUNTIME} belongs to another user; the hub keeps its students' sockets only in a folder of its own")
RUNTIME.chmod(0o711)  # students may pass through to their own folder, not list the others'


def student_runtime_folder(spawner) -> str:
    """Create ``spawner``'s student's runtime folder (mode 0700, theirs) and return its path."""
    folder = RUNTIME / spawner.user.name
    folder.mkdir(mode=0o700, exist_ok=True)
    if AS_ROOT and ACCOUNTS == "unix":
        account = pwd.getpwnam(spawner.user.name)
        os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(0o700)
    return str(folder)


# JupyterHub calls a callable value with the spawner when it starts that student's server.
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = student_runtime_folder
# A busy classroom machine starts many servers at once; give them time.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.JupyterHub.concurrent_spawn_limit = 200

# Names become Unix accounts or folder names: plain lower-case names only.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,31}$"
c.Authenticator.blocked_users = {"root"}

if ACCOUNTS == "workshop":
    # One Unix user for everyone (whoever started the hub): each student has their own server,
    # home folder and login, and the hub keeps them out of each other's servers; but a student's
    # kernel runs as that shared Unix user and can read any file it can, other students' included.
    password = os.environ.get("TE_HUB_PASSWORD", "")
    if len(password) < 8:
        sys.exit("workshop mode needs TE_HUB_PASSWORD, the class's shared password (8 characters or more)")
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password
    c.Authenticator.allow_all = True
    admin = os.environ.get("TE_HUB_ADMIN")
    if admin:
        c.Authenticator.admin_users = {admin}
        c.SharedPasswordAuthenticator.admin_password = os.environ.get("TE_HUB_ADMIN_PASSWORD", "")
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
    if AS_ROOT:
        # Jupyter refuses to run as root unless told; hub.py asks the teacher to confirm this.
        c.Spawner.args.append("--allow-root")

else:
    # One Unix account per student (created by the teacher: see classroom/README.md), PAM passwords.
    # Each server and kernel runs as its student; with home folders of mode 0700 no student can
    # read another's files. The hub must run as root to start processes as other users.
    if not AS_ROOT:
        sys.exit("TE_HUB_ACCOUNTS=unix needs the hub to run as root (it starts each student's server as that student)")
    c.JupyterHub.authenticator_class = "pam"
    c.LocalAuthenticator.allowed_groups = {os.environ.get("TE_HUB_GROUP", "students")}
    c.JupyterHub.spawner_class = "localprocess"
    c.Spawner.notebook_dir = "~"
    repos = [r for r in os.environ.get("TE_HUB_LOCAL_REPOS", "").split(os.pathsep) if r]
    if repos:
        # git reads GIT_CONFIG_SYSTEM as its system config: include the real one, trust these repositories.
        gitconfig = STATE / "gitconfig"
        lines = ["[include]", "\tpath = /etc/gitconfig", "[safe]"] + [f"\tdirectory = {r}" for r in repos]
        gitconfig.write_text("\n".join(lines) + "\n")
        gitconfig.chmod(0o644)
        c.Spawner.environment["GIT_CONFIG_SYSTEM"] = str(gitconfig)
    # No login sessions through PAM (pam_systemd and friends): only the password check is needed.
    c.PAMAuthenticator.open_sessions = False
