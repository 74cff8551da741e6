"""Keras-style model summary: layer, output shape, parameters, trainable; totals add up exactly."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class SummaryRow:
    name: str
    kind: str
    output_shape: tuple | None  # without the batch axis
    params: int
    trainable: int


@dataclass
class Summary:
    """The rows of a summary and its totals; `str(summary)` is the printed table."""

    rows: list[SummaryRow]
    total_params: int
    trainable_params: int
    input_shape: tuple | None
    activation_bytes: int | None = None  # per sample: every row's output, kept for backward
    param_bytes: int = 0

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def _repr_html_(self) -> str:
        """The table as HTML, for Jupyter (`model.summary()` as a cell's value)."""
        from .._html import table

        rows = [(f"{r.name} ({r.kind})", _fmt_shape(r.output_shape), r.params, _trainable(r))
                for r in self.rows]
        footer = [f"Total params: {self.total_params:,}", f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}"]
        return table(("Layer (type)", "Output Shape", "Param #", "Trainable"), rows, footer=footer)

    def __str__(self) -> str:
        head = ("Layer (type)", "Output Shape", "Param #", "Trainable")
        body = [(f"{r.name} ({r.kind})", _fmt_shape(r.output_shape), f"{r.params:,}", _trainable(r))
                for r in self.rows]
        widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(4)]
        line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
        rule = "-" * (sum(widths) + 6)
        out = [rule, line(head), "=" * len(rule), *(line(b) for b in body), "=" * len(rule),
               f"Total params: {self.total_params:,}",
               f"Trainable params: {self.trainable_params:,}",
               f"Non-trainable params: {self.non_trainable_params:,}",
               f"Params size (MB): {self.param_bytes / 2**20:.2f}"]
        if self.activation_bytes is not None:
            out.append(f"Forward/backward activations per sample (MB): {self.activation_bytes / 2**20:.2f}")
        out.append(rule)
        return "\n".join(out)


def _trainable(r: SummaryRow) -> str:
    return "-" if r.params == 0 else "yes" if r.trainable == r.params else "no" if r.trainable == 0 else "partly"


def _fmt_shape(shape) -> str:
    if shape is None:
        return "-"
    return "(None, " + ", ".join(str(s) for s in shape) + ")"


def _own_params(module: nn.Module) -> tuple[int, int]:
    ps = list(module.parameters(recurse=False))
    return sum(p.numel() for p in ps), sum(p.numel() for p in ps if p.requires_grad)


def summarize(module: nn.Module, input_shape: tuple | None = None) -> Summary:
    """Summarize `module`; with `input_shape` (C, H, W) a forward pass records output shapes.

    The estimates: parameter memory (bytes of every parameter) and, with `input_shape`, the
    activation memory of one sample (the bytes of every row's output, which training keeps for
    the backward pass; multiply by the batch size).

    Every module that owns parameters directly, and every leaf, gets a row, so the rows' params
    add up to `sum(p.numel() for p in module.parameters())`.

    Example:
        >>> print(summarize(nn.Conv2d(8, 16, 3), (8, 50, 100)))  # (None, 16, 48, 98), 1,168 params
    """
    named = [(n or module.__class__.__name__.lower(), m) for n, m in module.named_modules()]
    chosen = [(n, m) for n, m in named
              if not list(m.children()) or _own_params(m)[0] > 0]
    shapes: dict[int, tuple] = {}
    sizes: dict[int, int] = {}  # bytes of one sample's output, per row
    if input_shape is not None:
        hooks = [m.register_forward_hook(_shape_hook(shapes, sizes, id(m))) for _, m in chosen]
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        was_training = module.training
        try:
            module.eval()
            with torch.no_grad():
                module(torch.zeros((2, *input_shape), device=device))
        finally:
            module.train(was_training)
            for h in hooks:
                h.remove()
    rows = [SummaryRow(n, m.__class__.__name__, shapes.get(id(m)), *_own_params(m))
            for n, m in chosen]
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    param_bytes = sum(p.numel() * p.element_size() for p in module.parameters())
    activations = sum(sizes.values()) if input_shape is not None else None
    return Summary(rows, total, trainable, tuple(input_shape) if input_shape else None,
                   activations, param_bytes)


def _shape_hook(shapes: dict, sizes: dict, key: int):
    def hook(_module, _inputs, output):
        if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
            output = output[0]
        if isinstance(output, torch.Tensor):
            shapes[key] = tuple(output.shape[1:])
            # += : a module called twice (shared weights) stores two outputs
            sizes[key] = sizes.get(key, 0) + output[0].numel() * output.element_size()
    return hook
