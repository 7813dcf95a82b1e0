"""Old home of the live explorer, kept so ``from hlmteach.widgets import live`` keeps working.

The explorer now lives in :mod:`hlmteach.explore` (:mod:`hlmteach.explore.live`).
"""

from .explore.live import PANELS, LiveExplorer, live

__all__ = ["PANELS", "LiveExplorer", "live"]
