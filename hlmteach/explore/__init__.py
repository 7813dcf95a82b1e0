"""The explorers: flip HLM 7's switches and watch the estimates change, on the website and in notebooks.

One definition of each chapter's controls (:mod:`.controls`), fitted through
one :class:`~.session.Session` per chapter and data set, summarised as tables
(:mod:`.results`, :mod:`.schools`) and drawn by one set of Altair charts
(:mod:`.charts`, :mod:`.figures`, in the book's theme from :mod:`.render`),
serves two front ends: :func:`static_explorer` (:mod:`.web`: every setting
precomputed, Vega-Lite parameters bound to inputs, no kernel) and
:func:`live` (:mod:`.live`: ipywidgets that refit on every click).
:mod:`.book` has what the book's pages call for their prose, and
:func:`format_table` (:mod:`.tables`) the tables they display.
"""

from .book import glue
from .controls import CHAPTERS, Chapter, Variables, chapter, hsb_variables
from .figures import school_lines_by_group
from .iterations import hlm7_path_chart, hlm7_stop_chart, stop_table
from .live import PANELS, LiveExplorer, live
from .render import use_book_renderer
from .session import Session, open_session
from .tables import format_table
from .web import StaticExplorer, static_explorer

__all__ = [
    "CHAPTERS",
    "PANELS",
    "Chapter",
    "LiveExplorer",
    "Session",
    "StaticExplorer",
    "Variables",
    "chapter",
    "format_table",
    "glue",
    "hlm7_path_chart",
    "hlm7_stop_chart",
    "hsb_variables",
    "live",
    "open_session",
    "school_lines_by_group",
    "static_explorer",
    "stop_table",
    "use_book_renderer",
]
