"""What the book's pages call besides the explorers: numbers for the prose.

A page computes its numbers in a hidden cell and hands them to the prose with
myst-nb's ``glue`` (``{glue:text}`name:.2f```).  :func:`glue` does that for
many values at once.  myst-nb is a book-build tool: in a live notebook
(a downloaded page) there is no prose to fill, so :func:`glue` does nothing
there, and the page runs with only the package's ``live`` extra installed.
"""

from __future__ import annotations

from numbers import Integral, Real

from .render import in_book_build

__all__ = ["glue"]


def _plain(value: object) -> object:
    """numpy and pandas scalars as Python ints and floats (their text is what the prose shows)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    return value


def glue(**values: object) -> None:
    """Glue each value under its name for the page's prose (not displayed), e.g. ``glue(tau00=fit.tau.iloc[0, 0])``.

    Inside ``jupyter-book build`` this is myst-nb's ``glue(name, value, display=False)``;
    elsewhere it does nothing.
    """
    if not in_book_build():
        return
    from myst_nb import glue as myst_glue  # only in the book build, which has myst-nb

    for name, value in values.items():
        myst_glue(name, _plain(value), display=False)
