"""Softmax and its numerical traps: overflow of exp, the max shift, log-softmax + NLL, entropy.

In float32, exp(x) overflows to inf past x ≈ 88.72 (= log of the largest float32), so the
naive softmax returns inf/inf = nan. Subtracting the max first changes nothing mathematically
(softmax(x) = softmax(x - c)) and keeps every exponent <= 0.
"""
from __future__ import annotations

import numpy as np

FLOAT32_EXP_LIMIT = float(np.log(np.finfo(np.float32).max))  # ≈ 88.72


def softmax_naive(x, axis: int = -1):
    """exp(x) / Σ exp(x) as written in the textbook: overflows (nan) for large logits.

    Example:
        >>> softmax_naive(np.float32([1000.0, 0.0])).tolist()
        [nan, 0.0]
    """
    x = np.asarray(x)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def softmax(x, axis: int = -1):
    """The max-shifted softmax exp(x - max x) / Σ exp(x - max x): never overflows.

    Example:
        >>> softmax(np.float32([1000.0, 0.0])).tolist()
        [1.0, 0.0]
    """
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    """log softmax(x) = (x - m) - log Σ exp(x - m): finite where log(softmax(x)) gives -inf.

    Example:
        >>> log_softmax(np.float32([1000.0, 0.0])).tolist()
        [0.0, -1000.0]
    """
    x = np.asarray(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def nll_loss(log_probs, labels) -> float:
    """Negative log-likelihood: −mean of log p[label], from log-probabilities (N, K).

    Cross-entropy on logits is `nll_loss(log_softmax(logits), labels)`.
    """
    log_probs = np.asarray(log_probs)
    return float(-np.mean(log_probs[np.arange(len(log_probs)), np.asarray(labels)]))


def entropy(p, base: float = 2.0) -> float:
    """H(p) = −Σ p log p (bits by default), with 0 log 0 = 0.

    Example:
        >>> entropy([0.5, 0.5]), entropy([1.0, 0.0])
        (1.0, 0.0)
    """
    p = np.asarray(p, dtype=float)
    nz = p > 0
    return float(-np.sum(p[nz] * np.log(p[nz])) / np.log(base)) + 0.0  # no -0.0


def cross_entropy(p, q, base: float = 2.0) -> float:
    """H(p, q) = −Σ p log q: the cost of coding p with a code built for q; H(p, q) ≥ H(p).

    Example:
        >>> cross_entropy([0.5, 0.5], [0.25, 0.75]) > entropy([0.5, 0.5])
        True
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float(-np.sum(p[nz] * np.log(q[nz])) / np.log(base))
