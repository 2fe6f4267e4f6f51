"""What every benchmark that runs in a fresh interpreter of its own shares."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, TextIO

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def stdout_to(target: TextIO) -> Iterator[None]:
    """Points file descriptor 1 (and so `sys.stdout`, and every thread's prints) at `target`."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(target.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        target.flush()
        os.dup2(saved, 1)
        os.close(saved)


def in_fresh_interpreter(module: str, argv: list[str]) -> int:
    """Runs `python -m module --in-process argv…` and returns its exit status: moto's state is
    per process, so each benchmark gets an emulator (and an import cache) of its own."""
    sys.stdout.flush()
    sys.stderr.flush()
    return subprocess.call([sys.executable, "-m", module, "--in-process", *argv], cwd=ROOT)


def figures_stream() -> TextIO:
    """Where the figures go: the original standard output, whatever `stdout_to` does to fd 1."""
    return os.fdopen(os.dup(1), "w", buffering=1)
