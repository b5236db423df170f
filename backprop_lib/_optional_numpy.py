"""NumPy only where an array is really involved.

The scalar half of the library (engine, graph, gates, nn, the scalar checks and
the exercises that need no NumPy) also runs in the page's Python, which has no
NumPy. No module of that half imports NumPy at load time; where a value *might*
be an array, these helpers ask only if NumPy is already loaded: if it is not,
no array can exist, so nothing needs importing.
"""

from __future__ import annotations

import sys


def loaded():
    """The numpy module if something has already imported it, else None (never imports it)."""
    return sys.modules.get("numpy")


def is_ndarray(x: object) -> bool:
    """Is ``x`` a NumPy array? False, without importing NumPy, when NumPy is not loaded."""
    np = loaded()
    return np is not None and isinstance(x, np.ndarray)


def ndarray_types() -> tuple[type, ...]:
    """``(numpy.ndarray,)`` when NumPy is loaded, else ``()``: for ``isinstance`` tuples."""
    np = loaded()
    return (np.ndarray,) if np is not None else ()


def real_scalar_types() -> tuple[type, ...]:
    """int and float, and NumPy's integer and floating scalars when NumPy is loaded."""
    np = loaded()
    return (int, float) if np is None else (int, float, np.integer, np.floating)


def is_bool(x: object) -> bool:
    """A Python bool, or NumPy's bool_ (which is not a subclass of bool)."""
    if isinstance(x, bool):
        return True
    np = loaded()
    return np is not None and isinstance(x, np.bool_)
