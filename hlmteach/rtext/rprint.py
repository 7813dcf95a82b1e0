"""Reproduce R's printing of tables: named vectors, matrices, coefficient and anova tables.

Ports ``print.default()`` of named vectors and character matrices,
``printCoefmat()``, ``stats:::print.anova()`` and ``abbreviate()`` (R 4.2),
on top of the number formatting in ``rformat``.  Output width is R's default
``getOption("width")`` of 80.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence

from .rformat import Number, as_floats, encode_real, format_info, format_num, format_pval, r_quantile, r_round, zapsmall

_GAP = 1  # R_print.gap: spaces between columns
_SIGNIF_LEGEND = "0 \u2018***\u2019 0.001 \u2018**\u2019 0.01 \u2018*\u2019 0.05 \u2018.\u2019 0.1 \u2018 \u2019 1"

# ---------------------------------------------------------------- print ----


def print_matrix(
    rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[str]], right: bool = True, width: int = 80
) -> str:
    """R's ``print(m, quote=FALSE, right=right)`` of a character matrix.

    Row names are left-aligned; each column is as wide as its widest entry or
    header and is preceded by one space; entries and headers are right-aligned
    when ``right`` else left-aligned.  Columns that do not fit in ``width``
    continue in further blocks, each repeating the row names.
    """
    ncol = len(columns)
    rlabw = max((len(r) for r in rows), default=0)
    w = [max([len(columns[j])] + [len(row[j]) for row in cells]) for j in range(ncol)]

    def pad(s: str, n: int) -> str:
        return s.rjust(n) if right else s.ljust(n)

    out: list[str] = []
    jmin = 0
    while jmin < ncol:
        total, jmax = rlabw, jmin
        while True:
            total += w[jmax] + _GAP
            jmax += 1
            if not (jmax < ncol and total + w[jmax] + _GAP < width):
                break
        cols = range(jmin, jmax)
        lines = [" " * rlabw + "".join(" " + pad(columns[j], w[j]) for j in cols)]
        lines += [r.ljust(rlabw) + "".join(" " + pad(row[j], w[j]) for j in cols) for r, row in zip(rows, cells, strict=True)]
        out.append("\n".join(lines) + "\n")
        jmin = jmax
    return "".join(out)


def print_named(names: Sequence[str], values: Sequence[Number], digits: int = 7, width: int = 80) -> str:
    """R's ``print(x, digits=digits)`` of a named numeric vector.

    Values are formatted jointly (as ``format_num``); every field has the
    width of the widest value or name, names right-aligned above values, each
    field followed by one space; lines wrap at ``width``.
    """
    xs = as_floats(values)
    w, d, e = format_info(xs, digits)
    w = max([w] + [len(n) for n in names])
    per_line = max(1, width // (w + _GAP))
    blocks = []
    for start in range(0, len(xs), per_line):
        part = range(start, min(start + per_line, len(xs)))
        head = "".join(names[k].rjust(w) + " " * _GAP for k in part)
        body = "".join(encode_real(xs[k], w, d, e) + " " * _GAP for k in part)
        blocks.append(head + "\n" + body)
    return "\n".join(blocks) + "\n"


def format_quantiles(residuals: Sequence[Number], digits: int = 4) -> str:
    """The two lines under lme4's "Scaled residuals:" header (``.prt.resids``).

    lme4 prints ``zapsmall(quantile(resids), digits + 1)`` named Min, 1Q,
    Median, 3Q, Max with ``print(rq, digits = digits)``.
    """
    q = zapsmall(r_quantile(residuals), digits + 1)
    return print_named(["Min", "1Q", "Median", "3Q", "Max"], q, digits)


def _stars(p: float) -> str:
    """``symnum`` code of a p-value with printCoefmat's cutpoints ("" for NA)."""
    if math.isnan(p):
        return ""
    for cut, sym in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p <= cut:
            return sym
    return " "


def print_coefmat(
    rows: Sequence[str],
    columns: Sequence[str],
    matrix: Sequence[Sequence[Number]],
    digits: int = 4,
    signif_stars: bool = True,
    *,
    cs_ind: Sequence[int] | None = None,
    tst_ind: Sequence[int] | None = None,
    zap_ind: Sequence[int] = (),
    has_pvalue: bool | None = None,
    na_print: str = "NA",
    width: int = 80,
) -> str:
    """R's ``printCoefmat(x, digits, signif.stars, ...)`` output (0-based indices).

    Defaults as in R: with k = ncol - has_pvalue - 1, coefficient/SE columns
    ``cs_ind`` = the first k (rounded to a common number of decimals set by
    the smallest magnitude and formatted jointly), test statistic ``tst_ind``
    = column k (rounded to ``max(1, min(5, digits - 1))`` decimals), any other
    column formatted on its own after ``zapsmall`` if in ``zap_ind``.  The
    p-value column (detected from a "Pr("/"p-v" header) goes through
    ``format_pval``; a stars column and the "Signif. codes" legend follow when
    some p < 0.1.  NA cells print as ``na_print``.

    R's final fix-up (re-formatting entries shown as 0 that are not 0) is
    left out: with R >= 4 ``format``/``round`` it cannot trigger here.
    """
    nr, nc = len(rows), len(columns)
    xm = [as_floats(r) for r in matrix]
    if has_pvalue is None:
        has_pvalue = nc >= 4 and columns[-1][:3] in ("Pr(", "p-v")
    k = nc - has_pvalue - (1 if tst_ind is None else len(tst_ind))
    cs = list(range(k)) if cs_ind is None else list(cs_ind)
    tst = [k] if tst_ind is None else list(tst_ind)
    ina = [[math.isnan(v) for v in r] for r in xm]
    cf = [[""] * nc for _ in range(nr)]

    def fill(cols: list[int], strings: list[str]) -> None:
        it = iter(strings)
        for j in cols:
            for i in range(nr):
                cf[i][j] = next(it)

    def column(j: int) -> list[float]:
        return [xm[i][j] for i in range(nr)]

    for j in zap_ind:
        for i, v in enumerate(zapsmall(column(j), digits)):
            xm[i][j] = v
    acs = [abs(v) for j in cs for v in column(j)]
    if any(math.isfinite(a) for a in acs):
        nonzero = [a for a in acs if math.isfinite(a) and a != 0]
        digmin = 1 + math.floor(math.log10(min(nonzero))) if nonzero else 1
        dec = max(1, digits - digmin)
        fill(cs, format_num([r_round(v, dec) for j in cs for v in column(j)], digits))
    if tst:
        dig_tst = max(1, min(5, digits - 1))
        fill(tst, format_num([r_round(v, dig_tst) for j in tst for v in column(j)], digits))
    for j in range(nc):
        if j not in cs and j not in tst and not (has_pvalue and j == nc - 1):
            fill([j], format_num(column(j), digits))
    for i in range(nr):
        for j in range(nc):
            if ina[i][j]:
                cf[i][j] = na_print
    stars = False
    if has_pvalue:
        pv = column(nc - 1)
        ok = [i for i in range(nr) if not ina[i][nc - 1]]
        if ok:
            for i, s in zip(ok, format_pval([pv[i] for i in ok], max(1, min(5, digits - 1))), strict=True):
                cf[i][nc - 1] = s
            stars = signif_stars and any(pv[i] < 0.1 for i in ok)
        if stars:
            codes = [_stars(p) for p in pv]
            sw = max(len(c) for c in codes)
            cf = [[*r, c.ljust(sw)] for r, c in zip(cf, codes, strict=True)]
            columns = [*columns, ""]
    text = print_matrix(rows, columns, cf, right=True, width=width)
    if stars:
        text += "---\nSignif. codes:  " + _SIGNIF_LEGEND + "\n"
    return text


def print_anova(
    rows: Sequence[str],
    columns: Sequence[str],
    matrix: Sequence[Sequence[Number]],
    digits: int = 5,
    signif_stars: bool = True,
) -> str:
    """R's ``stats:::print.anova`` table (no heading), as used for ``ranova()``/``anova()``.

    Chooses printCoefmat's column roles from the headers: "F", "Chisq", "Cp"
    and "* value" are test statistics, "*Df" columns are printed as they are,
    every other column is zapsmall-ed; no coefficient columns; NA prints blank.
    """
    nc = len(columns)
    has_p = re.match(r"(P|Pr)\(", columns[-1]) is not None
    tst = [j for j, c in enumerate(columns) if c[1:7] == " value"]
    tst += [j for j, c in enumerate(columns) if c in ("F", "Cp", "Chisq")]
    zap = [j for j in range(nc - has_p) if j not in tst and not columns[j].endswith("Df")]
    return print_coefmat(
        rows, columns, matrix, digits, signif_stars, cs_ind=[], tst_ind=tst, zap_ind=zap, has_pvalue=has_p, na_print=""
    )


# ----------------------------------------------------------- abbreviate ----

_C_SPACE = " \t\n\v\f\r"
_UNDECOMPOSED_VOWELS = {"ø": "o", "ı": "i"}  # vowels Unicode does not decompose into a base letter


def _is_vowel(c: str) -> bool:
    """R's vowel test: a-e-i-o-u, and (for names outside ASCII, R's wide-character rules) a lower-case
    letter whose base letter is one of them (ä, é, ø, ı …; not æ or œ), as R 4.2 abbreviates them."""
    if c in "aeiou":
        return True
    if c.isascii() or not c.islower():
        return False
    base = unicodedata.normalize("NFD", c)[0]
    return _UNDECOMPOSED_VOWELS.get(c, base) in "aeiou"


def _stripchars(name: str, minlen: int) -> str:
    """C ``stripchars`` (use.classes=TRUE): shorten one name to ~minlen.

    Working from the right and never touching the first character of a word,
    drop in turn: word-final lower-case vowels, other lower-case vowels,
    word-final lower-case letters, other lower-case letters, then anything;
    stop as soon as the length (spaces not counted) reaches ``minlen``.
    Outside ASCII, accented lower-case vowels count as vowels and only a-z as
    lower-case letters (checked against R in tests/fixtures/rformat_cases.json).
    """
    s = list(name)
    nspace = 0

    def short() -> bool:
        return len(s) - nspace <= minlen

    def first(i: int) -> bool:
        return s[i - 1] in _C_SPACE

    def last(i: int) -> bool:
        return s[i - 1] not in _C_SPACE and (i + 1 >= len(s) or s[i + 1] in _C_SPACE)

    def vowel(i: int) -> bool:
        return _is_vowel(s[i])

    def lower(i: int) -> bool:
        return "a" <= s[i] <= "z"

    def sweep(drop: Callable[[int], bool]) -> bool:
        for i in range(len(s) - 1, 0, -1):
            if drop(i):
                del s[i]
            if short():
                return True
        return False

    trailing = True
    done = False
    for i in range(len(s) - 1, 0, -1):
        if s[i] in _C_SPACE:
            if trailing:
                del s[i:]
            else:
                nspace += 1
        else:
            trailing = False
        if short():
            done = True
            break
    done = done or any(
        sweep(rule)
        for rule in (
            lambda i: vowel(i) and last(i),
            lambda i: vowel(i) and not first(i),
            lambda i: lower(i) and last(i),
            lambda i: lower(i) and not first(i),
            lambda i: not first(i) and s[i] not in _C_SPACE,
        )
    )
    if len(s) > minlen:
        s = [s[0]] + [c for c in s[1:] if c not in _C_SPACE]
    return "".join(s)


def abbreviate(names: Sequence[str], minlength: int = 4) -> list[str]:
    """R's ``abbreviate(names, minlength)`` (method "left.kept", names in any alphabet).

    Each name longer than ``minlength`` is shortened by ``_stripchars``; if
    two results coincide, those names are redone with ``minlength + 1``, and
    so on until all are distinct.  lme4 uses minlength 11 for the row and 6
    for the column names of "Correlation of Fixed Effects".
    """
    if minlength <= 0:
        return [""] * len(names)
    old = [re.sub(r"^ +", "", re.sub(r" +$", "", n)) for n in names]
    uniq = list(dict.fromkeys(old))
    x = list(uniq)
    redo = list(range(len(uniq)))
    while True:
        for i in redo:
            x[i] = _stripchars(uniq[i], minlength) if len(uniq[i]) > minlength else uniq[i]
        seen: set[str] = set()
        dups = set()
        for v in x:
            if v in seen:
                dups.add(v)
            seen.add(v)
        if not dups:
            break
        minlength += 1
        redo = [i for i, v in enumerate(x) if v in dups]
    lookup = dict(zip(uniq, x, strict=True))
    return [lookup[n] for n in old]
