"""Print the apps' modules as a Markdown tree: one line per module, its line count and the
first line of its docstring (docs/code-layout.md embeds the output).

Usage: ``.venv/bin/python scripts/code_tree.py`` (from the checkout's root); with ``--write``
it replaces the tree in docs/code-layout.md in place (after a merge, say).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

APPS = ("scr", "agencies", "reviews", "actionplans", "search", "learning")


def rows() -> list[str]:
    files = subprocess.check_output(["git", "ls-files", *[f"{a}/*.py" for a in APPS]], text=True)
    out = []
    for path in sorted(files.split()):
        if "/migrations/" in path or "/management/" in path or (path.endswith("__init__.py") and (
                path.count("/") == 1)):
            continue
        source = open(path).read()  # noqa: SIM115
        doc = (ast.get_docstring(ast.parse(source)) or "").split("\n\n")[0].replace("\n", " ")
        if len(doc) > 100:
            doc = doc[:97].rsplit(" ", 1)[0] + "…"
        depth = path.count("/") - 1
        path.rsplit("/", 1)[1]
        out.append(f"{'  ' * depth}- `{path}` ({source.count(chr(10))}) {doc}".rstrip())
    return out


def write(doc: str = "docs/code-layout.md") -> None:
    """Replace the tree's lines (one contiguous list of the apps' modules) in ``doc``."""
    lines = open(doc).read().split("\n")  # noqa: SIM115
    tree = [i for i, line in enumerate(lines)
            if re.match(r"\s*- `(" + "|".join(APPS) + ")/", line)]
    start, end = tree[0], tree[-1]
    lines[start:end + 1] = rows()
    with open(doc, "w") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        print("\n".join(rows()))
