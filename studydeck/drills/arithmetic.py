"""Whether a worked solution's numbers compute from each other, as displayed.

A worked solution writes chains such as

    a_f[0] = W_if[0]·x + b_if[0] + W_hf[0]·h + b_hf[0]
           = (-0.6)·0.7 + (-0.3) + (-0.9)·(-0.7) + 0.5
           = (-0.4200) + (-0.3000) + 0.6300 + 0.5000 = 0.4100
    f[0] = σ(0.4100) = 0.6011

:func:`arithmetic_problems` evaluates every numeric segment of such chains
(numbers, + − · / ^ ², σ, tanh, ln, e^; symbols make a segment not numeric)
and checks each adjacent pair to the precision its right side displays.
Never evaluates code: a small whitelist over Python's ``ast``.
"""

from __future__ import annotations

import ast
import itertools
import math
import re

_TRANSLATE = str.maketrans({"·": "*", "×": "*", "−": "-", "^": "**", "²": "**2"})
_FUNCS = {"S": lambda a: 1.0 / (1.0 + math.exp(-a)), "T": math.tanh, "L": math.log, "E": math.exp}
_ALLOWED = re.compile(r"[0-9.eE+\-*/() STLE]+")
_SINGLE = re.compile(r"\(?\s*([+-]?\d+(?:\.(\d*))?(?:[eE]([+-]?\d+))?)\s*\)?")


def _expression(segment: str) -> ast.Expression | None:
    """The segment as a numeric expression (numbers, + − · / ^, σ, tanh, ln, e^), else None."""
    text = segment.strip()
    if ": " in text:
        text = text.rsplit(": ", 1)[1]
    text = text.translate(_TRANSLATE)
    text = text.replace("σ(", "S(").replace("tanh(", "T(").replace("ln(", "L(")
    text = text.replace("e**(", "E(")
    if not text or not any(ch.isdigit() for ch in text) or not _ALLOWED.fullmatch(text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCS and len(node.args) == 1):
                return None
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name,
                                   ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
                                   ast.Load)):
            return None
        if isinstance(node, ast.Name) and node.id not in _FUNCS:
            return None
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            return None
    return tree


def _evaluate(node) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call):
        return _FUNCS[node.func.id](_evaluate(node.args[0]))
    a, b = _evaluate(node.left), _evaluate(node.right)
    if isinstance(node.op, ast.Add):
        return a + b
    if isinstance(node.op, ast.Sub):
        return a - b
    if isinstance(node.op, ast.Mult):
        return a * b
    if isinstance(node.op, ast.Div):
        return a / b
    return a ** b


def half_unit(number_text: str) -> float | None:
    """Half a unit in the last displayed digit of a single number, else None."""
    m = _SINGLE.fullmatch(number_text.strip().translate(_TRANSLATE))
    if m is None:
        return None
    decimals = len(m.group(2) or "")
    exponent = int(m.group(3) or 0)
    return 0.5 * 10.0 ** (exponent - decimals)


def _terms(segment: str) -> list[tuple[int, str]]:
    """Top-level summands of a segment with their signs: '0.3 + (-0.2) − 0.1' -> 3 terms."""
    text = segment.strip()
    if ": " in text:
        text = text.rsplit(": ", 1)[1]
    out, depth, start, sign = [], 0, 0, 1
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and text[i:i + 3] in (" + ", " - ", " − "):
            out.append((sign, text[start:i]))
            sign = -1 if text[i + 1] in "-−" else 1
            start = i + 3
            i += 3
            continue
        i += 1
    out.append((sign, text[start:]))
    return out


def _pair_problem(left: str, right: str) -> str | None:
    """Whether ``left = right`` holds to the precision ``right`` displays."""
    a, b = _expression(left), _expression(right)
    if a is None or b is None:
        return None
    half = half_unit(right)
    try:
        if half is not None:
            value = _evaluate(a)
            want = _evaluate(b)
            if abs(value - want) > half * (1 + 1e-9) + 1e-12:
                return f"'{left.strip()} = {right.strip()}' does not check out ({value:.10g})"
            return None
        lt, rt = _terms(left), _terms(right)
        if len(lt) != len(rt) or len(rt) < 2:
            return None
        for (sa, ta), (sb, tb) in zip(lt, rt):
            ea, eb, h = _expression(ta), _expression(tb), half_unit(tb)
            if ea is None or eb is None or h is None:
                return None
            if abs(sa * _evaluate(ea) - sb * _evaluate(eb)) > h * (1 + 1e-9) + 1e-12:
                return (f"'{ta.strip()}' is shown as '{tb.strip()}' in "
                        f"'{left.strip()} = {right.strip()}'")
    except (ArithmeticError, ValueError):
        return f"'{left.strip()} = {right.strip()}' cannot be evaluated"
    return None


def arithmetic_problems(solution: str) -> list[str]:
    """Each adjacent pair of numeric segments in the chains "A = B = C" of the solution.

    A line that starts with spaces and "=" continues the chain of the line
    before.  A pair is checked when its right side is one number (the left,
    evaluated from its displayed numbers, must round to it) or a sum of
    numbers matching the left's summands one by one.
    """
    problems, chain = [], []
    for line in solution.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("= ") and chain:
            segments = stripped[2:].split(" = ")
            pairs = list(zip([chain[-1]] + segments[:-1], segments))
            chain = chain + segments
        else:
            chain = line.split(" = ")
            pairs = list(itertools.pairwise(chain))
        for left, right in pairs:
            problem = _pair_problem(left, right)
            if problem:
                problems.append(problem)
    return problems
