"""GPU training throughput: pratique vs a hand-tuned PyTorch loop vs Lightning's Trainer.

ResNet-18 on 32x32 RGB and LeNet-5 on 28x28 grey images (synthetic, generated on the GPU: no
downloads), SGD momentum 0.9, bf16-mixed, channels_last, the data held on the GPU, the same
initial weights for all three. Each runs `--epochs` epochs; the last (warm) epoch's training
images/s is printed. Without a GPU it prints "no GPU: skipped" and exits 0.

    python bench/gpu.py [--n 20480] [--batch 256] [--epochs 2]
"""
from __future__ import annotations

import argparse
import copy
import sys
import time

import torch
import torch.nn.functional as F

CASES = {"resnet18": (3, 32), "lenet5": (1, 28)}


def ours(module, x, y, args) -> float:
    from pratique.tasks.model import Model

    model = Model(module, accelerator="cuda", devices=1)
    model.compile(optimizer="sgd", lr=0.05, momentum=0.9, metrics=[], precision="bf16-mixed")
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch, verbose=0, seed=0)
    return model.last_throughput  # images/s of the last epoch


def hand_loop(module, x, y, args) -> float:
    module = module.cuda().to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(module.parameters(), lr=0.05, momentum=0.9, fused=True)
    for _ in range(args.epochs):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        order = torch.randperm(len(x), device=x.device)
        for i in range(0, len(x), args.batch):
            idx = order[i:i + args.batch]
            xb = x[idx].contiguous(memory_format=torch.channels_last)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = F.cross_entropy(module(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        torch.cuda.synchronize()
    return len(x) / (time.perf_counter() - t0)


def lightning_trainer(module, x, y, args) -> float:
    import lightning as L
    from torch.utils.data import DataLoader, TensorDataset

    class Net(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = module.to(memory_format=torch.channels_last)

        def training_step(self, batch, _):
            return F.cross_entropy(self.net(batch[0]), batch[1])

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.05, momentum=0.9)

    class Clock(L.Callback):
        def on_train_epoch_start(self, *_):
            torch.cuda.synchronize()
            self.t0 = time.perf_counter()

        def on_train_epoch_end(self, *_):
            torch.cuda.synchronize()
            self.rate = len(x) / (time.perf_counter() - self.t0)

    clock = Clock()
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch, shuffle=True)  # Lightning's usual way
    L.Trainer(accelerator="gpu", devices=1, precision="bf16-mixed", max_epochs=args.epochs,
              logger=False, enable_checkpointing=False, enable_progress_bar=False,
              enable_model_summary=False, callbacks=[clock]).fit(Net(), loader)
    return clock.rate


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20480)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--epochs", type=int, default=2)
    args = p.parse_args()
    if not torch.cuda.is_available():
        print("no GPU: skipped")
        return 0
    from pratique.models import create_model

    torch.backends.cudnn.benchmark = True
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, batch {args.batch}, "
          f"{args.n} images, last of {args.epochs} epochs")
    for name, (c, size) in CASES.items():
        g = torch.Generator(device="cuda").manual_seed(0)
        x = torch.rand(args.n, c, size, size, device="cuda", generator=g)
        y = torch.randint(0, 10, (args.n,), device="cuda", generator=g)
        torch.manual_seed(0)
        base = create_model(name, num_classes=10, in_channels=c)
        rates = {peer.__name__: peer(copy.deepcopy(base), x, y, args)
                 for peer in (hand_loop, ours, lightning_trainer)}
        ref = rates["hand_loop"]
        print(name + ": " + ", ".join(f"{k} {v:,.0f} img/s ({v / ref:.2f}x)" for k, v in rates.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
