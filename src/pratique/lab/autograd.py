"""`Value`: a scalar reverse-mode autograd engine, micrograd-style, that shows its work."""
from __future__ import annotations

import math


class Value:
    """A scalar node of a computation graph: `.data` forward, `.grad` = ∂output/∂node after backward.

    Supports +, -, *, /, ** (number exponent), abs, exp, log, tanh, relu, sigmoid and max.
    `backward()` walks the graph in reverse topological order applying the chain rule;
    `trace()` prints each node's forward value and backward partial, as courses draw them.

    Args:
        data: the scalar value.
        label: a name shown by `trace()` (e.g. "x0").

    Example:
        >>> x0, x1 = Value(2.0, "x0"), Value(1.0, "x1")
        >>> f = (2 * x0 + 5 * x1) * (3 * x0 * x1)
        >>> f.backward()
        >>> f.data, x0.grad, x1.grad
        (54.0, 39.0, 84.0)
    """

    def __init__(self, data: float, label: str = "", _children: tuple = (), _op: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = _children
        self._op = _op
        self._backward = lambda: None

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.6g}, grad={self.grad:.6g})"

    # --- binary operations: each sets how its output's grad flows back to its inputs ---
    def __add__(self, other):
        other = _lift(other)
        out = Value(self.data + other.data, _children=(self, other), _op="+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _lift(other)
        out = Value(self.data * other.data, _children=(self, other), _op="*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        if not isinstance(k, (int, float)):
            raise TypeError(f"Value ** k needs a number k. Received: {type(k).__name__}")
        out = Value(self.data**k, _children=(self,), _op=f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def max(self, other):
        """max(self, other); at a tie the gradient goes to `self`."""
        other = _lift(other)
        pick_self = self.data >= other.data
        out = Value(self.data if pick_self else other.data, _children=(self, other), _op="max")

        def _backward():
            (self if pick_self else other).grad += out.grad
        out._backward = _backward
        return out

    # --- unary operations: (forward value, local derivative) ---
    def _unary(self, op: str, value: float, local: float) -> Value:
        out = Value(value, _children=(self,), _op=op)

        def _backward():
            self.grad += local * out.grad
        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        return self._unary("exp", e, e)

    def log(self):
        return self._unary("log", math.log(self.data), 1.0 / self.data)

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary("tanh", t, 1.0 - t * t)

    def relu(self):
        return self._unary("relu", max(self.data, 0.0), float(self.data > 0))

    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        return self._unary("sigmoid", s, s * (1.0 - s))

    def __abs__(self):
        return self._unary("abs", abs(self.data), math.copysign(1.0, self.data) if self.data else 0.0)

    # --- derived operations ---
    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-_lift(other))

    def __truediv__(self, other):
        return self * _lift(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _lift(other) - self

    def __rtruediv__(self, other):
        return _lift(other) / self

    # --- the reverse pass ---
    def topological_order(self) -> list[Value]:
        """Every node of the graph ending here, each after all of its inputs."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative DFS: deep graphs do not hit Python's recursion limit
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        return order

    def backward(self) -> None:
        """Fill `.grad` of every node with ∂self/∂node (zeroing earlier grads first)."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def trace(self) -> str:
        """A table of the graph: node, operation, inputs, forward value, backward partial."""
        order = self.topological_order()
        names = {id(n): n.label or f"n{i}" for i, n in enumerate(order)}
        rows = [f"{'node':<8} {'op':<8} {'inputs':<14} {'forward':>12} {'grad':>12}"]
        for n in order:
            inputs = ", ".join(names[id(c)] for c in n._prev) or "-"
            rows.append(f"{names[id(n)]:<8} {n._op or 'input':<8} {inputs:<14} "
                        f"{n.data:>12.6g} {n.grad:>12.6g}")
        return "\n".join(rows)


def _lift(x) -> Value:
    return x if isinstance(x, Value) else Value(x, label=f"{x:g}", _op="const")
