"""NumPy/PyTorch broadcasting, dimension by dimension, with the right-aligned rule."""
from __future__ import annotations

from ..core.errors import PratiqueError


def _check(shape, name) -> tuple[int, ...]:
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise PratiqueError(f"{name} must be a shape (a tuple of ints). Received: {shape!r}") from None
    if any(s < 0 for s in shape):
        raise PratiqueError(f"{name} must hold sizes >= 0. Received: {shape}")
    return shape


def _aligned(a, b):
    """Pairs (position from the right, size in a, size in b), missing dims shown as None."""
    n = max(len(a), len(b))
    pad_a, pad_b = (None,) * (n - len(a)) + a, (None,) * (n - len(b)) + b
    return [(i - n, da, db) for i, (da, db) in enumerate(zip(pad_a, pad_b))]


def _combine(da, db):
    """(result size or None on a clash, the reason in words)."""
    if da is None or db is None:
        size = db if da is None else da
        return size, f"missing in {'a' if da is None else 'b'}, taken as 1 -> {size}"
    if da == db:
        return da, f"equal -> {da}"
    if da == 1 or db == 1:
        size = db if da == 1 else da
        return size, f"{'a' if da == 1 else 'b'} is 1, stretched -> {size}"
    return None, f"CLASH: {da} vs {db}, neither is 1"


def explain_broadcast(a, b) -> str:
    """The broadcasting of shapes `a` and `b` explained dimension by dimension, right-aligned.

    Shapes are aligned on their last dimension; missing leading dimensions count as 1; two
    sizes are compatible when they are equal or one of them is 1 (which is stretched).

    Raises:
        PratiqueError (a ValueError): naming each clashing dimension and the explanation.

    Example:
        >>> print(explain_broadcast((8, 1, 6), (7, 1)))
        dim  a     b     result
        -3   8     -     missing in b, taken as 1 -> 8
        -2   1     7     a is 1, stretched -> 7
        -1   6     1     b is 1, stretched -> 6
        result shape: (8, 7, 6)
    """
    a, b = _check(a, "a"), _check(b, "b")
    lines, result, clashes = [f"{'dim':<4} {'a':<5} {'b':<5} result"], [], []
    for pos, da, db in _aligned(a, b):
        size, why = _combine(da, db)
        lines.append(f"{pos:<4} {'-' if da is None else da:<5} {'-' if db is None else db:<5} {why}")
        if size is None:
            clashes.append(f"dim {pos} (a has {da}, b has {db})")
        result.append(size)
    if clashes:
        raise PratiqueError(f"Shapes {a} and {b} cannot be broadcast: {'; '.join(clashes)}. "
                            f"Aligned from the right, sizes must be equal or one of them 1. "
                            f"Fix: reshape or unsqueeze one operand so those sizes match or "
                            f"are 1.\n" + "\n".join(lines))
    lines.append(f"result shape: {tuple(result)}")
    return "\n".join(lines)


def broadcast_shape(a, b) -> tuple[int, ...]:
    """The shape of `x_a op x_b` for arrays of shapes `a` and `b`, or an error naming the clash.

    Example:
        >>> broadcast_shape((5, 1, 4), (3, 1))
        (5, 3, 4)
    """
    a, b = _check(a, "a"), _check(b, "b")
    result = []
    for _, da, db in _aligned(a, b):
        size, _ = _combine(da, db)
        if size is None:
            explain_broadcast(a, b)  # raises with the full, dimension-by-dimension explanation
        result.append(size)
    return tuple(result)
