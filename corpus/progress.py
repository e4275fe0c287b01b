"""Whether the long steps (reading, chunking, embedding) draw progress bars on stderr.

One switch for the whole process, set by the command line (``--quiet``): the bars are
drawn deep in corpus/ and index/, far from the option that silences them, and a script
reading stderr wants none of them, not only the ones its command draws itself.
"""

from __future__ import annotations

_quiet = False


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def quiet() -> bool:
    """True when no progress bar may be drawn (pass as, or into, tqdm's ``disable``)."""
    return _quiet
