import math
import random

import pytest
import torch

from pratique.lab import Value


def test_course_example_gradient():
    x0, x1 = Value(2.0, "x0"), Value(1.0, "x1")
    f = (2 * x0 + 5 * x1) * (3 * x0 * x1)
    f.backward()
    assert f.data == 54.0
    assert (x0.grad, x1.grad) == (39.0, 84.0)
    trace = f.trace()
    assert "x0" in trace and "39" in trace and "84" in trace


def test_reused_node_accumulates_gradient():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0
    y.backward()  # running backward again does not double-count
    assert x.grad == 7.0


def test_each_operation_matches_torch():
    ops = {"exp": lambda v: v.exp(), "log": lambda v: v.log(), "tanh": lambda v: v.tanh(),
           "relu": lambda v: v.relu(), "sigmoid": lambda v: v.sigmoid(), "abs": abs,
           "pow": lambda v: v**3, "div": lambda v: 1 / v, "max": lambda v: v.max(0.5)}
    torch_ops = {"exp": torch.exp, "log": torch.log, "tanh": torch.tanh, "relu": torch.relu,
                 "sigmoid": torch.sigmoid, "abs": torch.abs, "pow": lambda t: t**3,
                 "div": lambda t: 1 / t, "max": lambda t: torch.maximum(t, torch.tensor(0.5, dtype=t.dtype))}
    for name, op in ops.items():
        for x in (0.7, 1.3):
            v = Value(x)
            out = op(v)
            out.backward()
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            ref = torch_ops[name](t)
            ref.backward()
            assert out.data == pytest.approx(ref.item(), rel=1e-12), name
            assert v.grad == pytest.approx(t.grad.item(), rel=1e-12), name


def _random_expression(rng, leaves, depth):
    """The same random expression built twice: on Values and on torch tensors."""
    if depth == 0:
        i = rng.randrange(len(leaves))
        return leaves[i]
    op = rng.choice(["+", "-", "*", "/", "pow", "tanh", "sigmoid", "exp", "log", "relu", "max", "abs"])
    a = _random_expression(rng, leaves, depth - 1)
    if op in ("+", "-", "*", "/", "max"):
        b = _random_expression(rng, leaves, depth - 1)
        return (op, a, b)
    return (op, a)


def _evaluate(expr, env, lib):
    if not isinstance(expr, tuple):
        return env[expr]
    args = [_evaluate(e, env, lib) for e in expr[1:]]
    op = expr[0]
    if op == "+":
        return args[0] + args[1]
    if op == "-":
        return args[0] - args[1]
    if op == "*":
        return args[0] * args[1]
    if op == "/":  # keep the denominator away from 0
        return args[0] / (abs(args[1]) + 1)
    if op == "pow":
        return args[0] ** 2
    if op == "exp":  # bounded input: no overflow
        return (args[0].tanh()).exp() if lib == "value" else torch.exp(torch.tanh(args[0]))
    if op == "log":
        return (abs(args[0]) + 1).log() if lib == "value" else torch.log(torch.abs(args[0]) + 1)
    if op == "max":
        return args[0].max(args[1]) if lib == "value" else torch.maximum(args[0], args[1])
    if op == "abs":
        return abs(args[0])
    return getattr(args[0], op)() if lib == "value" else getattr(torch, op)(args[0])


@pytest.mark.parametrize("seed", range(25))
def test_random_expressions_match_torch(seed):
    rng = random.Random(seed)
    names = ["a", "b", "c"]
    expr = _random_expression(rng, names, depth=4)
    xs = {n: rng.uniform(-2, 2) for n in names}
    values = {n: Value(x, n) for n, x in xs.items()}
    tensors = {n: torch.tensor(x, dtype=torch.float64, requires_grad=True) for n, x in xs.items()}
    out = _evaluate(expr, values, "value")
    ref = _evaluate(expr, tensors, "torch")
    if not isinstance(out, Value):  # a bare leaf
        return
    out.backward()
    ref.backward()
    assert math.isclose(out.data, ref.item(), rel_tol=1e-10, abs_tol=1e-12)
    for n in names:
        expected = 0.0 if tensors[n].grad is None else tensors[n].grad.item()
        assert math.isclose(values[n].grad, expected, rel_tol=1e-9, abs_tol=1e-12), (expr, n)
