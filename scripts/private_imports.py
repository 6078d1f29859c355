"""List imports of another module's underscore-private name between project modules.

Usage: ``.venv/bin/python scripts/private_imports.py`` (exit 1 if any). A name such as
``_grant`` is private to its module; a helper two modules share is public in a shared
module (``services/base.py``) and kept out of the package's ``__all__`` instead.
"""

from __future__ import annotations

import ast
import subprocess
import sys

APPS = ("scr", "agencies", "reviews", "actionplans", "search")


def private_imports() -> list[str]:
    found = []
    files = subprocess.check_output(["git", "ls-files", *[f"{a}/*.py" for a in APPS]], text=True)
    for path in files.split():
        if "/migrations/" in path:
            continue
        tree = ast.parse(open(path).read())  # noqa: SIM115
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in APPS):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path}:{node.lineno}: {'.' * node.level}{node.module or ''} import {alias.name}")
    return found


if __name__ == "__main__":
    rows = private_imports()
    print("\n".join(rows))
    print(f"{len(rows)} imports of private names")
    sys.exit(1 if rows else 0)
