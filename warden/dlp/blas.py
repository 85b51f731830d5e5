"""Numpy's OpenBLAS on one thread, so that the entity recognizer can use it instead of BLIS.

Most of the entity recognizer's time is matrix products of a few dozen rows (one per token)
by a few hundred columns. On the build machines numpy's bundled OpenBLAS, which picks its
kernels for the CPU it runs on, does them about three times as fast as the BLIS build thinc
uses by default (0.13 against 0.37 ms for 69 x 288 x 288), and the recognizer's results are
the same. But OpenBLAS starts one thread per core for every product: on a 2-core machine
shared with the proxy's event loop those threads spin against each other and a 5 ms call
takes 30 ms. One thread is the only setting that pays, and the proxy wants its cores for
its own threads anyway, so the whole process gets it.

OpenBLAS reads OPENBLAS_NUM_THREADS only when it is loaded, which may have happened before
Warden's code runs (any import of numpy), so the setting is made through the library's own
function, found among the libraries the process has loaded.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

__all__ = ["one_thread"]

log = logging.getLogger("warden.dlp")

# The function's name in the reference build, and in the symbol-suffixed build numpy's wheels
# ship (scipy-openblas, 64-bit integers).
_SETTERS = (
    "openblas_set_num_threads",
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
)
_GETTERS = tuple(name.replace("set_num", "get_num") for name in _SETTERS)


def one_thread() -> bool:
    """Set the process's OpenBLAS to one thread; False when no OpenBLAS could be set."""
    import numpy  # noqa: F401  (loads numpy's OpenBLAS, if it has one)

    for path in _loaded_openblas():
        try:
            library = ctypes.CDLL(str(path))
        except OSError:
            continue
        for setter, getter in zip(_SETTERS, _GETTERS, strict=True):
            if hasattr(library, setter) and hasattr(library, getter):
                getattr(library, setter)(1)
                if getattr(library, getter)() == 1:
                    return True
    log.info("numpy's OpenBLAS not found: the entity recognizer keeps thinc's BLIS")
    return False


def _loaded_openblas() -> list[Path]:
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:  # not Linux
        return []
    paths = {line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower()}
    return sorted(Path(p) for p in paths if p.startswith("/"))
