"""Progressive hints: a worked solution cut into the steps shown before it.  Numpy-free.

A hint is one step of the worked solution: the lines that compute one
quantity.  A solution line starting at the margin opens an item, indented
lines continue it (the ``= ...`` lines of a sum), and consecutive items about
the same quantity (``a_f[0]``, ``f[0]``, ``a_f[1]``, ``f[1]``) form one step:

    step 1  Stacked blocks i, f, g, o of 1 row each ...
    step 2  a_i[0] = ...  i[0] = σ(...) = 0.5744
    step 3  a_f[0] = ...  f[0] = ...
    ...
    step 7  tanh(c[0]) = ...  h[0] = o[0]·tanh(c[0]) = ...

The closing ``Answer:`` line is never a hint.  A generator that knows its
steps better passes them to :func:`studydeck.drills.common.question` itself.
"""

from __future__ import annotations

import re

MAX_HINTS = 8

_KEY = re.compile(r"(?:a_)?([A-Za-z_'∂Δ]+)(\[[^\]]*\])?\s*=")


def _key(line: str, by_component: bool) -> str:
    """The quantity a solution line computes: ``a_f[0] = ...`` and ``f[1] = ...`` give "f".

    With ``by_component`` the index counts too ("f[0]" and "f[1]" differ).
    A line that computes nothing (prose) is its own key.
    """
    if line.startswith("tanh(c["):  # the output activation is part of the h step
        line = "h" + line[len("tanh(c"):]
    m = _KEY.match(line)
    if m is None:
        return line
    return m.group(1) + (m.group(2) or "") if by_component else m.group(1)


def _items(lines: list[str]) -> list[list[str]]:
    """Lines at the margin open an item; indented lines continue it; a heading
    (a prose line ending in ':') joins the item after it."""
    items: list[list[str]] = []
    heading: list[str] = []
    for line in lines:
        if items and not heading and (line.startswith(" ") or not line.strip()):
            items[-1].append(line)
        elif _is_heading(line):
            heading.append(line)
        else:
            items.append(heading + [line])
            heading = []
    if heading:
        items.append(heading)
    return items


def _is_heading(line: str) -> bool:
    return line.rstrip().endswith(":") and " = " not in line


def _steps(items: list[list[str]], by_component: bool) -> list[list[str]]:
    """Consecutive items about the same quantity form one step; a heading starts a new one."""
    steps: list[list[str]] = []
    last = None
    for item in items:
        body = next((line for line in item if not _is_heading(line)), item[0])
        key = _key(body, by_component)
        if steps and key == last and not _is_heading(item[0]):
            steps[-1].extend(item)
        else:
            steps.append(list(item))
        last = key
    return steps


def hint_steps(solution, limit: int = MAX_HINTS) -> list[str]:
    """The hint steps of a worked solution (a string or a list of lines), in order.

    Steps follow the quantities computed; a solution about one quantity is cut
    per component instead.  At most ``limit`` steps: the two neighbours with
    the fewest lines are joined until it fits, so every line appears once, in order.
    """
    lines = solution.splitlines() if isinstance(solution, str) else list(solution)
    lines = [line for line in lines if not line.startswith("Answer: ")]
    items = _items(lines)
    steps = _steps(items, by_component=False)
    if len(steps) < 3:
        steps = _steps(items, by_component=True)
    while len(steps) > limit:
        k = min(range(len(steps) - 1), key=lambda n: len(steps[n]) + len(steps[n + 1]))
        steps[k:k + 2] = [steps[k] + steps[k + 1]]
    return ["\n".join(step) for step in steps]
