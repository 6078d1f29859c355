"""What checking a stored file's SHA-256 as it is served costs (``scr.documents.verified_copy``).

    .venv/bin/python benchmarks/download_verify.py

For files of 1, 10 and 25 MB (the largest upload, ``DOCUMENT_MAX_SIZE_MB``) on the local disk,
the median over 5 runs of: reading the stored file through in 64 KB blocks (what the
download did before: ``FileResponse`` streaming it) and the verified path (read once into a
spooled copy while hashed, then the copy read through as ``FileResponse`` sends it). No
database; the figures are the added server time per download. Results go to
``benchmarks/results/download_verify.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scr.settings")

import django

django.setup()

from django.core.files import File  # noqa: E402

from scr.documents import verified_copy  # noqa: E402

BLOCK = 64 * 1024


def drain(handle: object) -> None:
    while handle.read(BLOCK):  # type: ignore[attr-defined]
        pass


def median_seconds(action: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for megabytes in (1, 10, 25):
            path = Path(directory) / f"{megabytes}.bin"
            content = os.urandom(megabytes * 1024 * 1024)
            path.write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()

            def plain(path: Path = path) -> None:
                with path.open("rb") as handle:
                    drain(handle)

            def verified(path: Path = path, digest: str = digest) -> None:
                with path.open("rb") as handle:
                    copy, problem, _ = verified_copy(File(handle, name=str(path)),  # type: ignore[arg-type]
                                                     digest)
                    assert copy is not None, problem
                    drain(copy)
                    copy.close()

            row = {"megabytes": megabytes, "plain_ms": round(median_seconds(plain) * 1000, 1),
                   "verified_ms": round(median_seconds(verified) * 1000, 1)}
            results.append(row)
            print(row)
    out = Path(__file__).parent / "results" / "download_verify.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
