"""What every benchmark that runs in a fresh interpreter of its own shares."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator, TextIO


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
