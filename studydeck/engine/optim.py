"""Optimizers ``SGD`` and ``Adam`` and ``clip_grad_norm``, with PyTorch's update rules.

An optimizer holds one module or a list of modules (any engine layer, cell or
``Linear``).  ``step(grads)`` takes the dict that module's ``backward`` returned
(or a list of such dicts, one per module, in the same order) and updates the
parameters in place; keys that are not parameters ("input", "h0", "c0") are
ignored, and a parameter without a gradient is left alone, as PyTorch skips a
parameter whose ``.grad`` is None.  For parameter p with gradient g at step t:

    SGD:   b = g (t = 1),  b = μ b + g (t > 1);   p ← p − lr · b      (μ = momentum; b = g if μ = 0)
    Adam:  m ← m + (1 − β1)(g − m)               (torch's lerp)
           v ← β2 v + (1 − β2) g²
           p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)

``clip_grad_norm(grads, max_norm)`` is ``torch.nn.utils.clip_grad_norm_``:
with total = ‖(‖g_1‖, ‖g_2‖, ...)‖ over every parameter gradient, each is
multiplied in place by min(max_norm / (total + 1e-6), 1); the total is returned.
"""

from __future__ import annotations

import math

import numpy as np

from studydeck.engine.params import ParamModule

STATE_KEYS = frozenset({"input", "h0", "c0", "h_prev", "c_prev", "q0", "hidden"})


def _as_list(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def parameter_grads(grads):
    """The parameter entries of one ``backward`` dict (or a list of them), as a flat list."""
    out = []
    for g in _as_list(grads):
        out.extend(array for key, array in g.items() if key not in STATE_KEYS)
    return out


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    """Scale the parameter gradients in place so their joint norm is at most ``max_norm``.

    ``grads``: one ``backward`` dict or a list of them.  Returns the total norm
    before clipping, a Python float.  ``norm_type`` may be any p > 0 or ``inf``.
    """
    arrays = parameter_grads(grads)
    if not arrays:
        return 0.0
    p = float(norm_type)
    norms = [np.linalg.norm(a.ravel(), ord=p) for a in arrays]
    total = float(np.linalg.norm(np.array(norms, dtype=np.float64), ord=p))
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    if coef < 1.0:
        for a in arrays:
            a *= coef
    return total


class Optimizer:
    """What both optimizers share: the modules, the per-parameter state, the grads' layout."""

    def __init__(self, modules, lr):
        modules = _as_list(modules)
        if not modules or not all(isinstance(m, ParamModule) for m in modules):
            raise TypeError("an optimizer takes an engine module or a list of them")
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        self.modules = modules
        self.lr = float(lr)
        self.state = {}  # (module index, parameter name) -> dict of arrays and the step count

    def _pairs(self, grads):
        grads = _as_list(grads)
        if len(grads) != len(self.modules):
            raise ValueError(f"step() needs {len(self.modules)} gradient dicts, one per module; "
                             f"got {len(grads)}")
        for k, (module, g) in enumerate(zip(self.modules, grads)):
            for name in module.parameter_names():
                if name in g:
                    param = getattr(module, name)
                    grad = np.asarray(g[name], dtype=param.dtype)
                    if grad.shape != param.shape:
                        raise ValueError(f"gradient of {name} has shape {grad.shape}, "
                                         f"expected {param.shape}")
                    yield (k, name), param, grad

    def zero_state(self):
        """Forget the moments and step counts (a fresh optimizer on the same modules)."""
        self.state.clear()


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (``torch.optim.SGD``, no dampening)."""

    def __init__(self, modules, lr, momentum=0.0):
        super().__init__(modules, lr)
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        self.momentum = float(momentum)

    def step(self, grads):
        """One update of every parameter that has a gradient in ``grads``."""
        for key, param, grad in self._pairs(grads):
            update = grad
            if self.momentum:
                buf = self.state.get(key)
                if buf is None:
                    buf = self.state[key] = grad.copy()
                else:
                    buf *= self.momentum
                    buf += grad
                update = buf
            param -= self.lr * update


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) exactly as ``torch.optim.Adam`` without weight decay or AMSGrad."""

    def __init__(self, modules, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(modules, lr)
        beta1, beta2 = (float(b) for b in betas)
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"Invalid beta parameters: {betas}")
        if eps < 0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        self.betas = (beta1, beta2)
        self.eps = float(eps)

    def step(self, grads):
        """One update of every parameter that has a gradient in ``grads``."""
        beta1, beta2 = self.betas
        for key, param, grad in self._pairs(grads):
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = {"step": 0, "exp_avg": np.zeros_like(param),
                                           "exp_avg_sq": np.zeros_like(param)}
            state["step"] += 1
            t = state["step"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (1 - beta1) * (grad - m)
            v *= beta2
            v += (1 - beta2) * grad * grad
            step_size = self.lr / (1 - beta1 ** t)
            denom = np.sqrt(v)
            denom /= math.sqrt(1 - beta2 ** t)
            denom += self.eps
            param -= step_size * m / denom
