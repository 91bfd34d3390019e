"""The nbgitpuller link a teacher hands to a class: one click logs the student in, copies the
collection into their home folder (or updates their copy, keeping their edits) and opens a notebook.

    python classroom/link.py https://hub.example.edu https://github.com/OWNER/token-economy
    python classroom/link.py http://127.0.0.1:8000 file:///srv/token-economy --notebook 03_token_factory

The link has the form nbgitpuller documents (``/hub/user-redirect/git-pull?repo=...&branch=...
&targetpath=...&urlpath=...``): ``user-redirect`` sends each student to their own server, and
``git-pull`` is nbgitpuller's handler there. nbgitpuller's own link generator (a web page) makes
the same links.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlencode

#: The folder the collection lands in, in each student's home.
TARGET = "token-economy"


def notebook_path(notebook: str) -> str:
    """``notebooks/NAME.ipynb`` for a notebook given as ``03``, ``03_token_factory`` or a file name.

    >>> notebook_path("00_start_here"), notebook_path("notebooks/08_capstone.ipynb")
    ('notebooks/00_start_here.ipynb', 'notebooks/08_capstone.ipynb')
    """
    name = notebook.removeprefix("notebooks/")
    return f"notebooks/{name if name.endswith('.ipynb') else name + '.ipynb'}"


def nbgitpuller_link(hub_url: str, repo: str, branch: str = "main",
                     notebook: str = "00_start_here", targetpath: str = TARGET) -> str:
    """The link that pulls ``repo`` (at ``branch``) into ``~/targetpath`` and opens ``notebook`` in JupyterLab.

    >>> nbgitpuller_link("https://hub.example.edu/", "https://github.com/o/token-economy")  # doctest: +NORMALIZE_WHITESPACE
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fo%2Ftoken-economy&branch=main&targetpath=token-economy&urlpath=lab%2Ftree%2Ftoken-economy%2Fnotebooks%2F00_start_here.ipynb'
    """
    if not hub_url.startswith(("http://", "https://")):
        raise ValueError(f"hub_url must start with http:// or https://, got {hub_url!r}")
    if not repo:
        raise ValueError("repo must be a git URL (https://..., file:///...)")
    query = urlencode({"repo": repo, "branch": branch, "targetpath": targetpath,
                       "urlpath": f"lab/tree/{targetpath}/{notebook_path(notebook)}"})
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hub_url", help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("repo", help="the collection's git URL (a fork, or file:///path of a local clone)")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--notebook", default="00_start_here", help="which notebook opens (default: 00_start_here)")
    args = parser.parse_args(argv)
    print(nbgitpuller_link(args.hub_url, args.repo, args.branch, args.notebook))
    return 0


if __name__ == "__main__":
    sys.exit(main())
