"""A tour of pratique.lab: each fundamental, computed and compared with PyTorch.
Run: python examples/lab_tour.py [OUT_DIR]   (default runs/examples/lab_tour/; pratique lab --list)"""
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from pratique import lab
from pratique.reports import plot_decision_regions, save_figure

OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/lab_tour"

# 1. Perceptron: separable blobs vs XOR
x, y = lab.blobs(50, 2, seed=1, spread=0.35)
p = lab.Perceptron().fit(x, lab.to_signed(y))
print(f"perceptron on blobs: converged={p.converged_} after {p.n_updates_} updates")
warnings.simplefilter("ignore", lab.ConvergenceWarning)  # XOR is not separable: it warns so
x, y = lab.xor(4)
print(f"perceptron on XOR: converged={lab.Perceptron(max_epochs=20).fit(x, lab.to_signed(y)).converged_}")

# 2. Autograd by hand
x0, x1 = lab.Value(2.0, "x0"), lab.Value(1.0, "x1")
f = (2 * x0 + 5 * x1) * (3 * x0 * x1)
f.label = "f"
f.backward()
print(f"\nf(2, 1) = {f.data}, grad = ({x0.grad}, {x1.grad})\n{f.trace()}")

# 3. MLP with hand-written backprop on the spiral
x, y = lab.spiral(100, 3)
net = lab.MLP([2, 100, 3], activation="relu")
losses = net.fit(x, y, lr=1.0, steps=1000, weight_decay=1e-3)
print(f"\nMLP on the spiral: loss {losses[0]:.3f} -> {losses[-1]:.3f}, "
      f"accuracy {np.mean(net.predict(x) == y):.0%}")
save_figure(plot_decision_regions(net.predict, x, y), f"{OUT}/spiral_regions.png")

# 4. Gradient descent: the step size decides
for lr in (0.05, 0.4, 1.1):
    path = lab.gradient_descent(lab.OBJECTIVES["parabola"].grad, 3.0, lr=lr, steps=15)
    print(f"gradient descent on (x-1)^2, step {lr}: x_15 = {path[-1, 0]:.4g}")

# 5. Broadcasting
print("\n" + lab.explain_broadcast((8, 1, 6, 1), (7, 1, 5)))
try:
    lab.broadcast_shape((5, 4), (4, 5))
except ValueError as e:
    print(f"\n{e}")

# 6. Softmax numerics in float32
z = np.float32([89.0, 0.0])
print(f"\nnaive softmax {lab.softmax_naive(z)} vs shifted {lab.softmax(z)}")

# 7. Convolution by hand vs torch
xc, w = np.random.rand(1, 4, 10, 10), np.random.rand(6, 2, 3, 3)
ours = lab.conv2d_im2col(xc, w, stride=2, padding=1, groups=2)
ref = F.conv2d(torch.tensor(xc), torch.tensor(w), stride=2, padding=1, groups=2).numpy()
print(f"conv2d by im2col equals F.conv2d: {np.allclose(ours, ref)}; output {ours.shape}")
print("receptive field of 3x conv3x3:", lab.receptive_field([(3, 1)] * 3)[-1]["rf"])
