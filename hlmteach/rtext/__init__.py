"""R's printing, ported: what ``summary()``, ``ranova()`` and ``anova()`` print for lmerTest fits.

:mod:`.rformat` ports R's number formatting (``format``, ``round``,
``format.pval``, ``zapsmall``, quantiles), :mod:`.rprint` its table printers
(``printCoefmat``, ``print.anova``, matrices, ``abbreviate``) and
:mod:`.summary` lays out the text of a fit from the engine with them.
"""

from .summary import anova_text, lmer_summary, ranova_text

__all__ = ["anova_text", "lmer_summary", "ranova_text"]
