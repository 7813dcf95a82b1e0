"""R's expression syntax, as model formulas use it: tokens, a parse tree, and R's ``deparse``.

Formula text is tokenised and parsed into a tree of :class:`Name`,
:class:`Number` and :class:`Call` nodes by a small precedence-climbing parser
with R's operator precedences (``^`` > unary ``-`` > ``:`` > ``*`` ``/`` >
binary ``+`` ``-`` > ``|`` ``||`` > ``~``); it is never handed to ``eval``.
:func:`deparse` prints a tree back as R's ``deparse`` does, which is where R's
term and column names (``I(x * 1e+06)``, ``poly(x, 2)``, `` `a b` ``) come
from.  What the operators *mean* is decided by :mod:`.formula` (terms) and
:mod:`.functions` (arithmetic on columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Call", "Name", "Node", "Number", "deparse", "deparse_lines", "is_syntactic", "parse_expression", "shorten"]

MAX_DEPTH = 200  # nesting of operators and parentheses; deeper text is refused, not recursed into

_TOKEN = re.compile(
    r"\s*(?:(?P<name>`[^`]*`|(?:[^\W\d_]|\.(?!\d))[\w.]*)"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?)"
    r"|(?P<op>\|\||%in%|[~+\-*/^:()|,=]))"
)
_SYNTACTIC = re.compile(r"(?:[^\W\d_]|\.(?!\d))[\w.]*|\.")
_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL", "Inf", "NaN", "NA"}
_RESERVED |= {"NA_integer_", "NA_real_", "NA_character_", "in"}

# binary operators: (left binding power, right binding power); right-associative ^ binds its right side looser
_BINARY = {"~": (1, 2), "|": (3, 4), "||": (3, 4), "+": (5, 6), "-": (5, 6), "*": (7, 8), "/": (7, 8)}
_BINARY |= {"%in%": (9, 10), ":": (11, 12), "^": (16, 15)}
_UNARY = 13  # unary minus and plus: below ^, above :
_SPACED = {"~", "|", "||", "+", "-", "*", "%in%"}  # deparse puts spaces around these, not around / ^ :


@dataclass(frozen=True)
class Name:
    """A variable name (backquotes removed)."""

    name: str


@dataclass(frozen=True)
class Number:
    """A numeric constant, with the text it was written as."""

    value: float
    integer: bool = False


@dataclass(frozen=True)
class Call:
    """An operator or function call: ``fn`` is ``"+"``, ``"("``, ``"log"``, ...; ``keys`` name the arguments
    given as ``name = value`` (None for positional ones)."""

    fn: str
    args: tuple[Node, ...]
    keys: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        if not self.keys:
            object.__setattr__(self, "keys", (None,) * len(self.args))


Node = Name | Number | Call


def shorten(text: str, limit: int = 80) -> str:
    """A formula quoted for an error message, cut in the middle if it is long."""
    return repr(text) if len(text) <= limit else repr(text[: limit // 2] + " … " + text[-limit // 4 :])


def is_syntactic(name: str) -> bool:
    """R's rule for a name that needs no backquotes (letters in any alphabet, digits, ``.`` and ``_``)."""
    return bool(_SYNTACTIC.fullmatch(name)) and name not in _RESERVED


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos, end = 0, len(text.rstrip())
        while pos < end:
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                bad = text[pos:].lstrip()[:1]
                raise self.error(f"unexpected character {bad!r} at position {pos + len(text[pos:]) - len(text[pos:].lstrip())}")
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0
        self.depth = 0

    def error(self, message: str) -> ValueError:
        return ValueError(f"formula {shorten(self.text)}: {message}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise self.error("ends too early" + (f"; expected {value!r}" if value else ""))
        if value is not None and (tok[0] != "op" or tok[1] != value):
            raise self.error(f"expected {value!r} at position {tok[2]}, found {tok[1]!r}")
        self.i += 1
        return tok

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep (parentheses or operators); simplify it")

    def expression(self, min_power: int = 0) -> Node:
        self.deeper()
        left = self.prefix()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in _BINARY:
            lbp, rbp = _BINARY[tok[1]]
            if lbp < min_power:
                break
            self.take()
            left = Call(tok[1], (left, self.expression(rbp)))
        self.depth -= 1
        return left

    def prefix(self) -> Node:
        kind, value, pos = self.take()
        if kind == "op" and value in ("-", "+"):
            return Call(value, (self.expression(_UNARY),))
        if kind == "op" and value == "(":
            inner = self.expression()
            self.take(")")
            return Call("(", (inner,))
        if kind == "num":
            integer = value.endswith("L")
            return Number(float(value.rstrip("L")), integer)
        if kind == "name":
            name = value[1:-1] if value.startswith("`") else value
            nxt = self.peek()
            if nxt and nxt[0] == "op" and nxt[1] == "(" and not value.startswith("`"):
                return self.call(name)
            return Name(name)
        raise self.error(f"unexpected {value!r} at position {pos}")

    def call(self, fn: str) -> Call:
        self.take("(")
        args: list[Node] = []
        keys: list[str | None] = []
        while not (self.peek() and self.peek()[1] == ")"):
            if args:
                self.take(",")
            key = None
            tok, nxt = self.peek(), self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            if tok and tok[0] == "name" and nxt and nxt[1] == "=":
                key = tok[1].strip("`")
                self.i += 2
            args.append(self.expression(2))
            keys.append(key)
        self.take(")")
        return Call(fn, tuple(args), tuple(keys))


def parse_expression(text: str) -> Node:
    """Parse one R expression (a whole formula, ``y ~ x + (1 | g)``) into a tree; nothing is evaluated."""
    p = _Parser(text)
    if not p.tokens:
        raise p.error("is empty")
    tree = p.expression()
    if (tok := p.peek()) is not None:
        raise p.error(f"unexpected {tok[1]!r} at position {tok[2]}")
    if _depth(tree) > MAX_DEPTH:  # e.g. hundreds of terms chained by '+': everything after parsing recurses
        raise p.error(f"nests more than {MAX_DEPTH} operators and parentheses; simplify it")
    return tree


def _depth(tree: Node) -> int:
    """Depth of a tree, found without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(node, Call):
            stack.extend((a, d + 1) for a in node.args)
    return deepest


def _number(x: float, integer: bool) -> str:
    """R's deparse of a number: 15 significant digits, fixed or scientific notation, whichever is narrower."""
    if integer:
        return f"{int(x)}L"
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.14e}".split("e")
    digits = mantissa.replace(".", "").rstrip("0")
    nsig, kp = len(digits), int(exponent)
    sci_width = nsig + (1 if nsig > 1 else 0) + (4 if abs(kp) < 100 else 5)
    decimals = max(0, nsig - kp - 1)
    fixed_width = (kp + 1 if kp >= 0 else 1) + (decimals + 1 if decimals else 0)
    if fixed_width <= sci_width:
        return f"{x:.{decimals}f}"
    lead = digits[0] + ("." + digits[1:] if nsig > 1 else "")
    return f"{lead}e{'-' if kp < 0 else '+'}{abs(kp):02d}"


def deparse(node: Node) -> str:
    """The text R's ``deparse`` gives for a tree: ``I(x^2)``, ``log(z + 1)``, ``1 + x | g``, `` `a b` ``."""
    if isinstance(node, Name):
        return node.name if is_syntactic(node.name) or node.name in ("TRUE", "FALSE") else f"`{node.name}`"
    if isinstance(node, Number):
        return _number(node.value, node.integer)
    if node.fn == "(":
        return f"({deparse(node.args[0])})"
    if node.fn in _BINARY and len(node.args) == 2:
        gap = " " if node.fn in _SPACED else ""
        return f"{deparse(node.args[0])}{gap}{node.fn}{gap}{deparse(node.args[1])}"
    if node.fn in ("-", "+") and len(node.args) == 1:
        return node.fn + deparse(node.args[0])
    args = [deparse(a) if k is None else f"{k} = {deparse(a)}" for a, k in zip(node.args, node.keys, strict=True)]
    return f"{node.fn}({', '.join(args)})"


class _Lines:
    """R's deparse buffer: a line is broken after a spaced binary operator or an argument's comma
    once it is longer than the cutoff, and continuation lines are indented by four spaces a level."""

    def __init__(self, cutoff: int) -> None:
        self.cutoff = cutoff
        self.lines: list[str] = []
        self.line = ""
        self.indent = 0

    def put(self, text: str) -> None:
        if not self.line and self.lines:
            self.line = "    " * min(self.indent, 4) + "  " * max(0, self.indent - 4)
        self.line += text

    def linebreak(self, broken: bool) -> bool:
        if len(self.line.encode()) > self.cutoff:  # R counts bytes
            if not broken:
                self.indent += 1
                broken = True
            self.lines.append(self.line)
            self.line = ""
        return broken

    def write(self, node: Node) -> None:
        if not isinstance(node, Call):
            self.put(deparse(node))
        elif node.fn == "(":
            self.put("(")
            self.write(node.args[0])
            self.put(")")
        elif node.fn in _BINARY and len(node.args) == 2:
            self.write(node.args[0])
            if node.fn in _SPACED:
                self.put(f" {node.fn} ")
                broken = self.linebreak(False)
            else:
                self.put(node.fn)
                broken = False
            self.write(node.args[1])
            if broken:
                self.indent -= 1
        elif node.fn in ("-", "+") and len(node.args) == 1:
            self.put(node.fn)
            self.write(node.args[0])
        else:
            self.put(f"{node.fn}(")
            broken = False
            for k, (arg, key) in enumerate(zip(node.args, node.keys, strict=True)):
                if key is not None:
                    self.put(f"{key} = ")
                self.write(arg)
                if k < len(node.args) - 1:
                    self.put(", ")
                    broken = self.linebreak(broken)
            if broken:
                self.indent -= 1
            self.put(")")


def deparse_lines(node: Node, cutoff: int = 60) -> list[str]:
    """R's ``deparse(x)`` with its default ``width.cutoff = 60``: the text, broken into lines as R breaks it."""
    out = _Lines(cutoff)
    out.write(node)
    return [*out.lines, out.line]
