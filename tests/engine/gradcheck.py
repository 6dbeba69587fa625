"""Central finite differences for the engine's gradient tests."""

import numpy as np


def numeric_grad(f, array, eps=1e-6):
    """d f() / d array by central differences, perturbing ``array`` in place."""
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        up = f()
        flat[k] = old - eps
        down = f()
        flat[k] = old
        gflat[k] = (up - down) / (2 * eps)
    return grad


def assert_close(analytic, numeric, name, tol=1e-7):
    scale = max(1.0, float(np.max(np.abs(numeric))))
    err = float(np.max(np.abs(analytic - numeric))) / scale
    assert err < tol, f"{name}: max error {err:.2e}"
