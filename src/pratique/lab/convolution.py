"""2-D convolution (cross-correlation, as in deep learning) by loops and by im2col, with its arithmetic.

Shapes: x (N, C_in, H, W), w (C_out, C_in / groups, kH, kW), b (C_out,), output (N, C_out, H', W')
with H' = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1.
"""
from __future__ import annotations

import numpy as np

from ..core.errors import PratiqueError

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])  # ∂/∂x (columns)
SOBEL_Y = SOBEL_X.T  # ∂/∂y (rows)


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    """Output length along one axis: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1.

    Example:
        >>> conv_output_size(28, 5), conv_output_size(32, 3, stride=2, padding=1)
        (24, 16)
    """
    size = (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if size < 1:
        raise PratiqueError(f"Kernel {kernel} (dilation {dilation}) does not fit an input of "
                            f"{n} with padding {padding}: output size would be {size}. "
                            f"Use more padding or a smaller kernel.")
    return size


def conv_params(c_in: int, c_out: int, kernel, groups: int = 1, bias: bool = True) -> int:
    """Parameters of a Conv2d: c_out · (c_in / groups) · kH · kW (+ c_out biases).

    Example:
        >>> conv_params(3, 64, 3)  # 64·3·3·3 + 64
        1792
    """
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)


def _prepare(x, w, stride, padding, dilation, groups):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    _, c_in, h, wd = x.shape
    c_out, c_per_group, kh, kw = w.shape
    if c_in % groups or c_out % groups or c_in // groups != c_per_group:
        raise PratiqueError(f"conv2d: with groups={groups}, C_in ({c_in}) and C_out ({c_out}) "
                            f"must be divisible by groups and w.shape[1] must be C_in/groups. "
                            f"Received w.shape={w.shape}")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h = conv_output_size(h, kh, stride, padding, dilation)
    out_w = conv_output_size(wd, kw, stride, padding, dilation)
    return x, w, xp, out_h, out_w


def conv2d_loops(x, w, b=None, stride: int = 1, padding: int = 0, dilation: int = 1,
                 groups: int = 1):
    """Convolution by explicit loops over (sample, output channel, output row, output column).

    Slow on purpose: it is the definition. Equals `torch.nn.functional.conv2d`.

    Example:
        >>> conv2d_loops(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))).shape
        (1, 1, 2, 2)
    """
    x, w, xp, out_h, out_w = _prepare(x, w, stride, padding, dilation, groups)
    c_out, c_per_group, kh, kw = w.shape
    out_per_group = c_out // groups
    out = np.zeros((x.shape[0], c_out, out_h, out_w))
    for n in range(x.shape[0]):
        for co in range(c_out):
            g = co // out_per_group  # the input channels this filter sees
            channels = slice(g * c_per_group, (g + 1) * c_per_group)
            for i in range(out_h):
                for j in range(out_w):
                    rows = slice(i * stride, i * stride + dilation * (kh - 1) + 1, dilation)
                    cols = slice(j * stride, j * stride + dilation * (kw - 1) + 1, dilation)
                    out[n, co, i, j] = np.sum(xp[n, channels, rows, cols] * w[co])
    return out if b is None else out + np.asarray(b, dtype=float)[None, :, None, None]


def im2col(xp, kh: int, kw: int, out_h: int, out_w: int, stride: int = 1, dilation: int = 1):
    """Unfold patches of a padded input (N, C, H, W) into columns (N, C·kH·kW, H'·W')."""
    n, c = xp.shape[:2]
    cols = np.empty((n, c, kh, kw, out_h, out_w))
    for di in range(kh):  # loop over the kernel taps, not the output pixels
        for dj in range(kw):
            r0, c0 = di * dilation, dj * dilation
            cols[:, :, di, dj] = xp[:, :, r0:r0 + stride * out_h:stride, c0:c0 + stride * out_w:stride]
    return cols.reshape(n, c * kh * kw, out_h * out_w)


def conv2d_im2col(x, w, b=None, stride: int = 1, padding: int = 0, dilation: int = 1,
                  groups: int = 1):
    """Convolution as one matrix product per group: (C_out/g, C_in/g·kH·kW) @ im2col columns.

    Example:
        >>> x, w = np.random.rand(2, 4, 6, 6), np.random.rand(8, 2, 3, 3)
        >>> np.allclose(conv2d_im2col(x, w, groups=2), conv2d_loops(x, w, groups=2))
        True
    """
    x, w, xp, out_h, out_w = _prepare(x, w, stride, padding, dilation, groups)
    c_out, c_per_group, kh, kw = w.shape
    out_per_group = c_out // groups
    outs = []
    for g in range(groups):
        cols = im2col(xp[:, g * c_per_group:(g + 1) * c_per_group], kh, kw, out_h, out_w,
                      stride, dilation)  # (N, C/g·kH·kW, H'·W')
        wg = w[g * out_per_group:(g + 1) * out_per_group].reshape(out_per_group, -1)
        outs.append(np.einsum("ok,nkp->nop", wg, cols))
    out = np.concatenate(outs, axis=1).reshape(x.shape[0], c_out, out_h, out_w)
    return out if b is None else out + np.asarray(b, dtype=float)[None, :, None, None]


def pool2d(x, kernel: int = 2, stride: int | None = None, mode: str = "max"):
    """Max or average pooling by hand over (N, C, H, W), no padding; stride defaults to kernel.

    Example:
        >>> pool2d(np.arange(16.0).reshape(1, 1, 4, 4)).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    if mode not in ("max", "avg"):
        raise PratiqueError(f"pool2d mode must be 'max' or 'avg'. Received: {mode!r}")
    x = np.asarray(x, dtype=float)
    stride = stride or kernel
    out_h = conv_output_size(x.shape[2], kernel, stride)
    out_w = conv_output_size(x.shape[3], kernel, stride)
    windows = im2col(x, kernel, kernel, out_h, out_w, stride)  # (N, C·k·k, H'·W')
    windows = windows.reshape(x.shape[0], x.shape[1], kernel * kernel, out_h, out_w)
    return windows.max(axis=2) if mode == "max" else windows.mean(axis=2)


def receptive_field(layers) -> list[dict]:
    """Receptive field, after each layer of a stack of (kernel, stride[, dilation]) layers.

    r_l = r_{l−1} + d_l (k_l − 1) j_{l−1} and j_l = j_{l−1} s_l, where j is the distance in
    input pixels between two neighbouring outputs (the jump).

    Example:
        >>> [row["rf"] for row in receptive_field([(3, 1), (3, 1), (2, 2), (3, 1)])]
        [3, 5, 6, 10]
    """
    rf, jump, rows = 1, 1, []
    for layer in layers:
        k, s, d = (tuple(layer) + (1,))[:3]
        rf += d * (k - 1) * jump
        jump *= s
        rows.append({"kernel": k, "stride": s, "dilation": d, "rf": rf, "jump": jump})
    return rows


def sobel(image):
    """Sobel edges of a 2-D image: (gx, gy, magnitude), each (H − 2, W − 2), via `conv2d_im2col`."""
    img = np.asarray(image, dtype=float)[None, None]  # (1, 1, H, W)
    kernels = np.stack([SOBEL_X, SOBEL_Y])[:, None]  # (2, 1, 3, 3)
    gx, gy = conv2d_im2col(img, kernels)[0]
    return gx, gy, np.hypot(gx, gy)
