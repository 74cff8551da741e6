"""A tour of tensors: creation, shape, indexing, views vs copies, reshape, broadcasting.

Run: python examples/tensor_tour.py [OUT_DIR]   (default runs/examples/tensor_tour/)"""
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from pratique.lab.broadcasting import explain_broadcast
from pratique.reports.curves import save_figure

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/examples/tensor_tour")

# 1. Creation: from data, filled, ranges, random (seeded generator, global state untouched)
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(torch.zeros(2, 3), torch.arange(6), torch.linspace(0, 1, 5), sep="\n")
print(torch.randn(2, generator=torch.Generator().manual_seed(0)))
print(f"shape {tuple(a.shape)}, ndim {a.ndim}, numel {a.numel()}, dtype {a.dtype}")

# 2. Indexing and slicing: x[row, col], ranges, steps, boolean masks
x = torch.arange(12).reshape(3, 4)
for expr in ("x", "x[1, 2]", "x[:, 1]", "x[1:, ::2]", "x[x % 2 == 0]"):
    print(f"{expr} =\n{eval(expr)}")

# 3. Views share memory with their base; copies do not
v, c = x[0], x[0].clone()  # a view of row 0, a copy of it
v[0] = 100
print(f"after v[0] = 100: x[0, 0] = {x[0, 0].item()}, copy c[0] = {c[0].item()}")
t = x.t()         # transpose: a view with swapped strides, no longer contiguous
print(f"x strides {x.stride()}, x.T strides {t.stride()}, x.T contiguous: {t.is_contiguous()}")
print(f"x.view(2, 6) shares storage: {x.view(2, 6).data_ptr() == x.data_ptr()}")
print(f"x.T.reshape(12) copies: {t.reshape(12).data_ptr() != x.data_ptr()}  (view() would raise)")

# 4. Reshape, flatten, unsqueeze, permute: the image layouts of deep learning
imgs = torch.zeros(8, 28, 28)                    # (N, H, W), as mnist5k is stored
print(imgs.unsqueeze(1).shape, imgs.flatten(1).shape,           # (N, 1, H, W), (N, 784)
      torch.zeros(8, 32, 32, 3).permute(0, 3, 1, 2).shape)      # channels-last -> (N, C, H, W)

# 5. Broadcasting: shapes aligned on the right; 1s stretch, missing dims count as 1
col, row = torch.arange(3.0).reshape(3, 1), torch.arange(4.0) * 10  # (3, 1) + (4,) -> (3, 4)
grid = col + row
print(explain_broadcast(col.shape, row.shape))
print(explain_broadcast((8, 1, 6, 1), (7, 1, 5)))

fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="tight",
                         gridspec_kw={"width_ratios": [1, 4, 4]})
for ax, m, title in zip(axes, [col, row.reshape(1, 4), grid],
                        ["col (3, 1)", "row (4,) seen as (1, 4)", "col + row -> (3, 4)"]):
    ax.imshow(m, cmap="Blues", vmin=-10, vmax=40)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, f"{m[i, j].item():g}", ha="center", va="center")
    ax.set(title=title, xticks=range(m.shape[1]), yticks=range(m.shape[0]),
           xlabel="column", ylabel="row")
fig.suptitle("Broadcasting: each size-1 dimension is stretched to match")
save_figure(fig, OUT / "broadcasting.png")
shape = tuple(torch.broadcast_shapes((8, 1, 6, 1), (7, 1, 5)))
print(f"broadcast (8, 1, 6, 1) with (7, 1, 5) -> {shape}")
