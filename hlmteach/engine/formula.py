"""Step 1 of the pipeline: parse an lme4 formula into terms.

The text is tokenised and parsed by a small recursive-descent parser; it is
never handed to ``eval``.  The grammar is the part of R's Wilkinson–Rogers
notation that two-level models need::

    formula  := NAME '~' sum
    sum      := product (('+' | '-') product)*
    product  := inter ('*' inter)*
    inter    := atom (':' atom)*
    atom     := NAME | '0' | '1' | '(' sum ')' | '(' sum '|' NAME ')'

A *term* is a set of variable names (the empty set is the intercept).  Terms
are ordered as R orders them: by degree, then by first appearance, and the
variables inside an interaction by their first appearance in the formula, so
that column names come out as in R (``cses:sectorCatholic``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Formula", "RandomTerm", "parse_formula"]

_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z.][A-Za-z0-9._]*|`[^`]+`)|(?P<num>\d+(?:\.\d*)?)"
    r"|(?P<op>\|\||[~+\-*:()|^/%]))"
)


@dataclass(frozen=True)
class RandomTerm:
    """One ``(effects | group)`` term: correlated random effects for one grouping factor."""

    terms: tuple[frozenset[str], ...]
    intercept: bool
    group: str
    text: str

    @property
    def variables(self) -> list[str]:
        """Variables used by the random effects, in order of appearance."""
        return _ordered_vars(self.terms)


@dataclass(frozen=True)
class Formula:
    """A parsed two-level model formula.

    ``terms`` are the fixed-effect terms without the intercept, in R's order;
    ``random`` holds the random-effect terms (one grouping factor).
    """

    response: str
    intercept: bool
    terms: tuple[frozenset[str], ...]
    random: tuple[RandomTerm, ...]
    order: tuple[str, ...]  # every variable, in order of first appearance
    text: str

    @property
    def group(self) -> str:
        """The grouping factor (the level-2 unit)."""
        return self.random[0].group

    def term_label(self, term: frozenset[str]) -> str:
        """R's label for a term: its variables joined by ``:``."""
        return ":".join(v for v in self.order if v in term)

    @property
    def fixed_text(self) -> str:
        """The fixed part as R prints it in ``ranova``'s model line."""
        parts = [self.term_label(t) for t in self.terms]
        if not self.intercept:
            parts = ["0", *parts]
        return " + ".join(parts) if parts else "1"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"formula {self.text!r}: unexpected character {text[pos:].lstrip()[:1]!r} at position {pos}")
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "name" and value.startswith("`"):
                value = value[1:-1]
            self.tokens.append((kind, value, m.start(kind)))
            pos = m.end()
        self.i = 0
        self.order: list[str] = []

    def error(self, message: str) -> ValueError:
        return ValueError(f"formula {self.text!r}: {message}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise self.error("ends too early" + (f"; expected {value!r}" if value else ""))
        if value is not None and tok[1] != value:
            raise self.error(f"expected {value!r} at position {tok[2]}, found {tok[1]!r}")
        self.i += 1
        return tok

    def name(self, value: str) -> str:
        if value not in self.order:
            self.order.append(value)
        return value

    # Each parse method returns (terms, intercept) where intercept is True/False
    # when set explicitly and None when the expression says nothing about it.
    def sum(self, bars: list[RandomTerm] | None) -> tuple[list[frozenset[str]], bool | None]:
        terms, intercept = self.product(bars)
        while (tok := self.peek()) and tok[1] in "+-":
            self.take()
            right, r_int = self.product(bars)
            if tok[1] == "+":
                terms += [t for t in right if t not in terms]
                intercept = r_int if r_int is not None else intercept
            else:
                terms = [t for t in terms if t not in right]
                if r_int:
                    intercept = False
        return terms, intercept

    def product(self, bars: list[RandomTerm] | None) -> tuple[list[frozenset[str]], bool | None]:
        terms, intercept = self.inter(bars)
        while (tok := self.peek()) and tok[1] == "*":
            self.take()
            right, r_int = self.inter(bars)
            if intercept is not None or r_int is not None:
                raise self.error("'0' or '1' cannot be multiplied")
            crossed = [a | b for a in terms for b in right]
            terms = _unique(terms + right + crossed)
        return terms, intercept

    def inter(self, bars: list[RandomTerm] | None) -> tuple[list[frozenset[str]], bool | None]:
        terms, intercept = self.atom(bars)
        while (tok := self.peek()) and tok[1] == ":":
            self.take()
            right, r_int = self.atom(bars)
            if intercept is not None or r_int is not None:
                raise self.error("'0' or '1' cannot enter an interaction")
            terms = _unique([a | b for a in terms for b in right])
        return terms, intercept

    def atom(self, bars: list[RandomTerm] | None) -> tuple[list[frozenset[str]], bool | None]:
        tok = self.take()
        kind, value, pos = tok
        if kind == "name":
            nxt = self.peek()
            if nxt and nxt[1] == "(":
                raise self.error(
                    f"function calls such as {value}(...) are not supported; compute the variable as a column of the data first"
                )
            return [frozenset([self.name(value)])], None
        if kind == "num":
            if value in ("0", "1"):
                return [], value == "1"
            raise self.error(f"only 0 or 1 may appear as numbers, found {value!r}")
        if value == "(":
            start = self.i
            inner, intercept = self.sum(None)
            tok = self.peek()
            if tok and tok[1] in ("|", "||"):
                if bars is None:
                    raise self.error("random-effect terms cannot be nested inside other terms")
                if tok[1] == "||":
                    raise self.error("'||' (uncorrelated random effects) is not supported; use '|'")
                self.take()
                gtok = self.take()
                if gtok[0] != "name":
                    raise self.error(f"the grouping factor after '|' must be a variable name, found {gtok[1]!r}")
                if self.peek() and self.peek()[1] != ")":
                    raise self.error(
                        "only a single grouping factor is supported after '|' (no nesting or crossing such as a/b or a:b)"
                    )
                self.take(")")
                lhs = " ".join(t[1] for t in self.tokens[start : self.i - 3])
                text = f"({lhs} | {gtok[1]})"
                bars.append(RandomTerm(tuple(inner), intercept is not False, self.name(gtok[1]), text))
                return [], None
            self.take(")")
            return inner, intercept
        raise self.error(f"unexpected {value!r} at position {pos}")


def _unique(terms: list[frozenset[str]]) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    for t in terms:
        if t and t not in out:
            out.append(t)
    return out


def _ordered_vars(terms: tuple[frozenset[str], ...]) -> list[str]:
    seen: list[str] = []
    for t in terms:
        for v in sorted(t):
            if v not in seen:
                seen.append(v)
    return seen


def parse_formula(text: str) -> Formula:
    """Parse ``response ~ fixed + (random | group)`` without evaluating it.

    Raises ``ValueError`` naming the problem for malformed text, unsupported
    operators, a missing response, or a missing random-effects term.
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a string such as 'mAch ~ cses + (1 | school)', got {type(text).__name__}")
    if "~" not in text:
        raise ValueError(f"formula {text!r} has no '~'; write it as 'outcome ~ predictors + (1 | group)'")
    p = _Parser(text)
    for kind, value, pos in p.tokens:
        if kind == "op" and value in "^/%":
            raise ValueError(f"formula {text!r}: operator {value!r} at position {pos} is not supported (use +, *, : and -)")
    lhs = p.take()
    if lhs[0] != "name":
        raise p.error("the left-hand side must be the outcome variable's name")
    response = p.name(lhs[1])
    p.take("~")
    if p.peek() is None:
        raise p.error("nothing after '~'")
    bars: list[RandomTerm] = []
    terms, intercept = p.sum(bars)
    if p.peek() is not None:
        raise p.error(f"unexpected {p.peek()[1]!r} at position {p.peek()[2]}")
    if not bars:
        raise ValueError(
            f"formula {text!r} has no random-effects term; add one such as '(1 | school)' "
            "(for a model without random effects use hlmteach.lm)"
        )
    groups = {b.group for b in bars}
    if len(groups) > 1 or len(bars) > 1:
        raise ValueError(
            f"formula {text!r}: only one random-effects term with one grouping factor is supported, "
            f"found {', '.join(b.text for b in bars)}"
        )
    if response in {v for t in terms for v in t}:
        raise p.error(f"the outcome {response!r} also appears as a predictor")
    terms = sorted(_unique(terms), key=len)  # stable: by degree, then appearance
    bar = bars[0]
    bar = RandomTerm(tuple(sorted(_unique(list(bar.terms)), key=len)), bar.intercept, bar.group, bar.text)
    if not bar.terms and not bar.intercept:
        raise p.error(f"the random-effects term {bar.text} has no effects")
    return Formula(response, intercept is not False, tuple(terms), (bar,), tuple(p.order), text.strip())


def fixed_only(text: str) -> tuple[str, bool, tuple[frozenset[str], ...], tuple[str, ...]]:
    """Parse a formula without random effects (for ``hlmteach.lm``)."""
    if "~" not in text:
        raise ValueError(f"formula {text!r} has no '~'")
    p = _Parser(text)
    lhs = p.take()
    if lhs[0] != "name":
        raise p.error("the left-hand side must be the outcome variable's name")
    response = p.name(lhs[1])
    p.take("~")
    terms, intercept = p.sum(None)
    if p.peek() is not None:
        raise p.error(f"unexpected {p.peek()[1]!r}")
    terms = sorted(_unique(terms), key=len)
    return response, intercept is not False, tuple(terms), tuple(p.order)
