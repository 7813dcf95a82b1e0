"""Step 1 of the pipeline: read an lme4 formula as terms, with R's semantics and R's names.

The text is parsed into a tree by :mod:`.syntax` (never ``eval``-ed); this
module gives the operators their model-formula meaning, as R's ``terms`` does:
``+`` adds terms, ``-`` removes them (``- 1`` and ``+ 0`` remove the
intercept, anywhere, also inside a random term), ``a * b`` is
``a + b + a:b``, ``(a + b)^2`` crosses up to second order, ``.`` stands for
every other column of the data (except the grouping factor), and
``(effects | g)`` / ``(effects || g)`` are random terms.  A *variable* is a
column or a supported function of columns (:mod:`.functions`), named by R's
deparse (``log(z)``, ``poly(x, 2)``, `` `a b` ``); a *term* is a set of
variables, the empty set being the intercept.  Terms are ordered as R orders
them (by degree, then appearance) and the variables inside an interaction by
their first appearance in that part of the formula, so that column names come
out as in R (``cses:sectorCatholic``).

Only two-level models are in scope: every random term must use the same single
grouping factor (several terms for it give a block-diagonal τ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .functions import check_call
from .syntax import Call, Name, Node, Number, deparse, parse_expression, shorten

__all__ = ["Formula", "RandomTerm", "parse_formula"]

Term = frozenset[str]
_LME4 = "only two-level models with one grouping factor are supported; for {what} use R's lme4"


@dataclass(frozen=True)
class RandomTerm:
    """One random term ``(effects | group)``: correlated random effects for the grouping factor."""

    terms: tuple[Term, ...]
    intercept: bool
    group: str  # the grouping factor's column name
    text: str  # as lmerTest prints it: "(1 + cses | school)"
    order: tuple[str, ...] = ()  # its variables by first appearance inside the term

    @property
    def variables(self) -> list[str]:
        """Variables used by the random effects, in order of appearance."""
        return [v for v in self.order if any(v in t for t in self.terms)]

    def term_label(self, term: Term) -> str:
        return ":".join(v for v in self.order if v in term)


@dataclass(frozen=True)
class Formula:
    """A parsed two-level model formula.

    ``terms`` are the fixed-effect terms without the intercept, in R's order;
    ``random`` the random terms (one grouping factor); ``order`` the response
    and the fixed part's variables by first appearance; ``expressions`` the
    parse tree of every variable (by its R name).  ``dot`` is True while a
    ``.`` awaits the data's columns (:func:`parse_formula` with ``columns``).
    """

    response: str
    intercept: bool
    terms: tuple[Term, ...]
    random: tuple[RandomTerm, ...]
    order: tuple[str, ...]
    text: str
    expressions: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)
    dot: bool = False

    @property
    def group(self) -> str:
        """The grouping factor (the level-2 unit), as a column name."""
        return self.random[0].group

    def term_label(self, term: Term) -> str:
        """R's label for a fixed term: its variables joined by ``:``."""
        return ":".join(v for v in self.order if v in term)


class _Reader:
    """Turns one part of a formula (the fixed part, or one random term's effects) into terms."""

    def __init__(self, text: str, columns: Sequence[str] | None, exclude: set[str]) -> None:
        self.text = text
        self.columns = columns
        self.exclude = exclude
        self.order: list[str] = []
        self.expressions: dict[str, Node] = {}
        self.dot = False

    def error(self, message: str) -> ValueError:
        return ValueError(f"formula {shorten(self.text)}: {message}")

    def variable(self, node: Node) -> list[Term]:
        label = deparse(node)
        if label not in self.order:
            self.order.append(label)
            self.expressions[label] = node
        return [frozenset([label])]

    def read(self, node: Node, where: str) -> tuple[list[Term], bool | None]:
        """(terms, intercept): intercept is True/False when the part sets it, None when it says nothing."""
        if isinstance(node, Number):
            if node.value in (0, 1) and not node.integer:
                return [], node.value == 1
            raise self.error(f"only 0 or 1 may appear as numbers in {where}, found {deparse(node)}")
        if isinstance(node, Name):
            if node.name == ".":
                return self.expand_dot(where), None
            return self.variable(node), None
        fn, args = node.fn, node.args
        if fn == "(" or (fn == "+" and len(args) == 1):
            return self.read(args[0], where)
        if fn == "-" and len(args) == 1:  # "-1" removes the intercept; "-x" removes x from nothing
            _, intercept = self.read(args[0], where)
            return [], (False if intercept else None)
        if fn in ("+", "-"):
            terms, intercept = self.read(args[0], where)
            right, r_int = self.read(args[1], where)
            if fn == "+":
                return _unique(terms + right), (r_int if r_int is not None else intercept)
            return [t for t in terms if t not in right], (not r_int if r_int is not None else intercept)
        if fn in ("*", ":"):
            (terms, a_int), (right, b_int) = self.read(args[0], where), self.read(args[1], where)
            if a_int is not None or b_int is not None:
                raise self.error(f"'0' or '1' cannot enter {'a product' if fn == '*' else 'an interaction'} ({deparse(node)})")
            crossed = [a | b for a in terms for b in right]
            return _unique(terms + right + crossed if fn == "*" else crossed), None
        if fn == "^":
            return self.power(node, where), None
        if fn in ("|", "||"):
            raise self.error(f"the random term {deparse(node)} must stand on its own, in parentheses: ( ... | group)")
        if fn in ("/", "%in%"):
            raise self.error(f"operator {fn!r} (nesting) is not supported in {where}; write the terms out, e.g. a + a:b")
        if fn == "~":
            raise self.error("has more than one '~'")
        check_call(node, where, self.error)
        return self.variable(node), None

    def power(self, node: Call, where: str) -> list[Term]:
        base, power = node.args
        if not (isinstance(power, Number) and power.value == int(power.value) and power.value >= 1):
            raise self.error(f"the power in {deparse(node)} must be a whole number of at least 1")
        terms, intercept = self.read(base, where)
        if intercept is not None:
            raise self.error(f"'0' or '1' cannot be raised to a power ({deparse(node)})")
        out = list(terms)
        for _ in range(int(power.value) - 1):
            out = _unique(out + [a | b for a in out for b in terms])
        return out

    def expand_dot(self, where: str) -> list[Term]:
        if where != "the fixed part":
            raise self.error(f"'.' (all other columns) may only be used in the fixed part, not in {where}")
        self.dot = True
        if self.columns is None:
            return []
        out: list[Term] = []
        for column in self.columns:
            if column not in self.exclude:
                out += self.variable(Name(column))
        return _unique(out)


def _unique(terms: list[Term]) -> list[Term]:
    out: list[Term] = []
    for t in terms:
        if t and t not in out:
            out.append(t)
    return out


def _summands(node: Node) -> list[tuple[bool, Node]]:
    """The top-level chain of '+' and '-' on the right-hand side, left to right, as (added, summand)."""
    out: list[tuple[bool, Node]] = []
    stack: list[tuple[bool, Node]] = [(True, node)]
    while stack:
        added, n = stack.pop()
        if isinstance(n, Call) and n.fn in ("+", "-") and len(n.args) == 2:
            stack += [(n.fn == "+", n.args[1]), (added, n.args[0])]
        else:
            out.append((added, n))
    return out


def _bar(node: Node) -> Call | None:
    while isinstance(node, Call) and (node.fn == "(" or (node.fn == "+" and len(node.args) == 1)):
        node = node.args[0]
    return node if isinstance(node, Call) and node.fn in ("|", "||") else None


def _group(bar: Call, error) -> str:
    g = bar.args[1]
    if isinstance(g, Name) and g.name != ".":
        return g.name
    if isinstance(g, Call) and g.fn in (":", "/", "%in%"):
        raise error(_LME4.format(what=f"nested or crossed grouping factors such as {deparse(g)} (three-level models)"))
    raise error(f"the grouping factor after '|' must be a column name, found {deparse(g)}")


def _random_terms(bar: Call, text: str, error) -> tuple[list[RandomTerm], dict[str, Node]]:
    """One bar's random terms (``||`` gives one per effect) and the parse trees of their variables."""
    group = _group(bar, error)
    reader = _Reader(text, None, set())
    terms, intercept = reader.read(bar.args[0], f"the random term ({deparse(bar)})")
    terms = sorted(terms, key=len)
    intercept = intercept is not False
    order = tuple(reader.order)
    if not terms and not intercept:
        raise error(f"the random term ({deparse(bar)}) has no effects")
    if bar.fn == "|":
        return [RandomTerm(tuple(terms), intercept, group, f"({deparse(bar)})", order)], reader.expressions
    # lme4's expandDoubleVerts: (1 + x || g) is (1 | g) + (0 + x | g)
    g = deparse(bar.args[1])
    out = [RandomTerm((), True, group, f"(1 | {g})", order)] if intercept else []
    for t in terms:
        label = ":".join(v for v in order if v in t)
        out.append(RandomTerm((t,), False, group, f"(0 + {label} | {g})", order))
    return out, reader.expressions


def parse_formula(text: str, columns: Sequence[str] | None = None, random: bool = True) -> Formula:
    """Parse ``response ~ fixed + (random | group)`` without evaluating it.

    ``columns`` (the data's column names) are needed only to expand ``.``;
    without them a ``.`` is left for :func:`~hlmteach.engine.design.build_design`.
    ``random=False`` reads a formula without random terms (for ``hlmteach.lm``).
    Raises ``ValueError`` naming the problem for malformed text, unsupported
    operators or functions, a missing response, or a missing random term.
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a string such as 'mAch ~ cses + (1 | school)', got {type(text).__name__}")
    dot = columns is not None and "." in text  # only a formula with a '.' depends on the columns
    return _parse(text, tuple(columns) if dot else None, random)


@lru_cache(maxsize=256)  # a Formula is immutable; refitting a model (the explorers do) need not re-parse it
def _parse(text: str, columns: tuple[str, ...] | None, random: bool) -> Formula:
    if "~" not in text:
        raise ValueError(f"formula {shorten(text)} has no '~'; write it as 'outcome ~ predictors + (1 | group)'")
    if text.strip().startswith("~"):
        raise ValueError(f"formula {shorten(text)} has no outcome before '~'")
    tree = parse_expression(text)

    def error(message: str) -> ValueError:
        return ValueError(f"formula {shorten(text)}: {message}")

    if not (isinstance(tree, Call) and tree.fn == "~" and len(tree.args) == 2):
        raise error("the left-hand side must be the outcome (a column, or a function of columns such as log(y))")
    lhs, rhs = tree.args
    if isinstance(lhs, Call):
        if lhs.fn in ("~", "|", "||", "+", "-", "*", ":", "^", "/", "(") or not lhs.fn[:1].isalpha():
            raise error("the left-hand side must be the outcome (a column, or a function of columns such as log(y))")
        check_call(lhs, "the outcome", error)
    elif not isinstance(lhs, Name):
        raise error("the left-hand side must be the outcome's name")
    summands = _summands(rhs)
    randoms: list[RandomTerm] = []
    expressions: dict[str, Node] = {}
    for added, node in summands:
        if (bar := _bar(node)) is not None:
            if not added:
                raise error(f"the random term {deparse(node)} cannot be subtracted")
            terms, trees = _random_terms(bar, text, error)
            randoms += terms
            expressions |= trees
    if randoms and not random:
        raise error("random terms such as ( ... | group) are not allowed here (a model without random effects)")
    groups = list(dict.fromkeys(r.group for r in randoms))
    if len(groups) > 1:
        raise error(_LME4.format(what=f"models with several grouping factors ({', '.join(groups)}: crossed or nested)"))
    texts = [r.text for r in randoms]
    if len(set(texts)) < len(texts):
        raise error(f"the random term {next(t for t in texts if texts.count(t) > 1)} appears twice")

    reader = _Reader(text, columns, {*_names(lhs), *groups})
    response = deparse(lhs)
    reader.variable(lhs)
    terms: list[Term] = []
    intercept: bool | None = None
    for added, node in summands:
        if _bar(node) is not None:
            continue
        right, r_int = reader.read(node, "the fixed part")
        if added:
            terms, intercept = _unique(terms + right), (r_int if r_int is not None else intercept)
        else:
            terms, intercept = [t for t in terms if t not in right], (not r_int if r_int is not None else intercept)
    if random and not randoms:
        raise ValueError(
            f"formula {shorten(text)} has no random-effects term; add one such as '(1 | school)' "
            "(for a model without random effects use hlmteach.lm)"
        )
    if response in {v for t in terms for v in t}:
        raise error(f"the outcome {response!r} also appears as a predictor")
    return Formula(
        response=response,
        intercept=intercept is not False,
        terms=tuple(sorted(terms, key=len)),  # stable: by degree, then appearance
        random=tuple(randoms),
        order=tuple(reader.order),
        text=text.strip(),
        expressions=expressions | reader.expressions,
        dot=reader.dot and columns is None,
    )


def _names(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Call):
        return [n for a in node.args for n in _names(a)]
    return []
