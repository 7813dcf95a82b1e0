"""The explorers: flip HLM 7's switches and watch the estimates change, on the website and in notebooks.

One definition of each chapter's controls (:mod:`.controls`), fitted through
one :class:`~.session.Session` per chapter and data set, summarised as tables
(:mod:`.results`, :mod:`.schools`, in HTML by :mod:`.tables`, in words by
:mod:`.captions`) and drawn by one set of Altair charts (:mod:`.charts`,
:mod:`.lines`, :mod:`.shrinkage`, in the book's theme and palette from
:mod:`.render`), serves two front ends: :func:`static_explorer` (:mod:`.web`
and :mod:`.page`: every setting precomputed, a form whose clicks a small
script passes to the charts, no kernel) and :func:`live` (:mod:`.live`:
ipywidgets that refit on every click).  :mod:`.figures` and
:mod:`.diagnostics` draw the chapters' own figures; :mod:`.book` has what the
book's pages call for their prose, and :func:`format_table` (:mod:`.formatting`)
the tables they display.
"""

from .book import glue
from .controls import CHAPTERS, Chapter, Variables, chapter, hsb_variables
from .diagnostics import PanelFigure, criterion_profile, residual_checks
from .figures import school_lines_by_group
from .formatting import format_table
from .iterations import hlm7_path_chart, hlm7_stop_chart, stop_table
from .live import PANELS, LiveExplorer, live
from .render import PALETTE, use_book_renderer
from .session import Session, open_session
from .web import StaticExplorer, static_explorer

__all__ = [
    "CHAPTERS",
    "PALETTE",
    "PANELS",
    "Chapter",
    "LiveExplorer",
    "PanelFigure",
    "Session",
    "StaticExplorer",
    "Variables",
    "chapter",
    "criterion_profile",
    "format_table",
    "glue",
    "hlm7_path_chart",
    "hlm7_stop_chart",
    "hsb_variables",
    "live",
    "open_session",
    "residual_checks",
    "school_lines_by_group",
    "static_explorer",
    "stop_table",
    "use_book_renderer",
]
