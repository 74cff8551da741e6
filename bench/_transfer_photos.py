"""The photo folder of bench/transfer.py --photos, and one function per contender; each runs in a
fresh process (`python bench/transfer.py --child NAME ...`) and prints `RESULT {json}` last.

Contenders, all efficientnet_lite0 with the bundled ImageNet weights, 224 px, batch 32, Adam at
`lr` (3e-3) on the head (the backbone at lr / 10 when unfrozen), inputs scaled to [-1, 1] (its
statistics):
  plain   the loop the torchvision transfer-learning tutorial teaches: ImageFolder + DataLoader
          (2 workers) + the frozen backbone (requires_grad=False) + Adam on the head, train and
          val phases each epoch (model.train() / model.eval(), as the tutorial);
  pq      pratique's Python API: ImageData.from_folders + ImageClassifier + finetune;
  cli     `pratique finetune` on the folder;
  fastai  fastai's vision_learner on the same network (its body cut at the pooling, the same
          linear head), ImageDataLoaders.from_folder, learn.fit (head only: train_bn=False).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

MEAN = STD = [0.5, 0.5, 0.5]  # efficientnet_lite0's own statistics (its model card)
A_PHOTOS = ("astronaut", "chelsea", "coffee", "stereo_motorcycle")
B_PHOTOS = ("rocket", "hubble_deep_field", "retina", "colorwheel", "brick", "grass", "gravel", "camera",
            "coins", "moon", "clock", "cell", "immunohistochemistry")


def _photo(name: str) -> np.ndarray:
    import skimage.data

    im = getattr(skimage.data, name)()
    im = im[0] if isinstance(im, tuple) else im  # stereo_motorcycle: (left, right, disparity)
    im = np.asarray(im)
    return np.repeat(im[..., None], 3, axis=2) if im.ndim == 2 else im[..., :3]


def build_folder(root: str, n: int = 400, seed: int = 0) -> str:
    """`root`/{train,val}/{a,b}/*.jpg: random crops (35-100% of each side), flips and scales
    (120-480 px a side) of scikit-image's sample photos; 80% train, 20% val. Returns root."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    photos = {"a": [_photo(p) for p in A_PHOTOS], "b": [_photo(p) for p in B_PHOTOS]}
    for i in range(n):
        label = "ab"[i % 2]
        src = photos[label][rng.integers(len(photos[label]))]
        h, w = src.shape[:2]
        ch, cw = (int(s * rng.uniform(0.35, 1.0)) for s in (h, w))
        top, left = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
        img = Image.fromarray(src[top:top + ch, left:left + cw])
        if rng.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        img = img.resize((int(rng.integers(120, 481)), int(rng.integers(120, 481))), Image.BILINEAR)
        split = "train" if i < int(n * 0.8) else "val"
        os.makedirs(os.path.join(root, split, label), exist_ok=True)
        img.save(os.path.join(root, split, label, f"{i:04d}.jpg"), quality=90)
    return root


def _lite0():
    import pratique as pq

    return pq.ImageClassifier("efficientnet_lite0", pretrained=True, num_classes=2, seed=0).module


def run_plain(folder: str, epochs: int, augment: bool, unfreeze_at: int | None, lr: float) -> dict:
    """The torchvision tutorial's loop ("ConvNet as fixed feature extractor")."""
    import torch
    from torchvision import datasets, transforms

    torch.manual_seed(0)
    aug = [transforms.RandomHorizontalFlip(), transforms.RandomAffine(10, translate=(0.1, 0.1),
                                                                      scale=(0.9, 1.1))] if augment else []
    tail = [transforms.Resize((224, 224)), transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    sets = {s: datasets.ImageFolder(os.path.join(folder, s), transforms.Compose((aug if s == "train" else []) + tail))
            for s in ("train", "val")}
    loaders = {s: torch.utils.data.DataLoader(d, batch_size=32, shuffle=s == "train", num_workers=2)
               for s, d in sets.items()}
    model = _lite0()
    head = model.get_classifier()
    for p in model.parameters():
        p.requires_grad = False
    for p in head.parameters():
        p.requires_grad = True
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    loss_fn, acc, epoch_s = torch.nn.CrossEntropyLoss(), 0.0, []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        if unfreeze_at is not None and epoch == unfreeze_at:  # the whole network, backbone at 0.1x
            backbone = [p for n, p in model.named_parameters() if not n.startswith("classifier")]
            for p in backbone:
                p.requires_grad = True
            optimizer.add_param_group({"params": backbone, "lr": lr / 10})
        for phase in ("train", "val"):
            model.train(phase == "train")
            correct = 0
            for x, y in loaders[phase]:
                with torch.set_grad_enabled(phase == "train"):
                    out = model(x)
                    loss = loss_fn(out, y)
                if phase == "train":
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                correct += int((out.argmax(1) == y).sum())
            acc = correct / len(sets[phase])
        epoch_s.append(round(time.perf_counter() - t0, 2))
    return {"accuracy": acc, "epoch_seconds": epoch_s}


def run_pq(folder: str, epochs: int, augment: bool, unfreeze_at: int | None, lr: float, cache_dir: str) -> dict:
    import pratique as pq

    data = pq.ImageData.from_folders(folder, image_size=224, batch_size=32, normalize=(MEAN, STD),
                                     color_mode="rgb", augment="standard" if augment else None)
    model = pq.ImageClassifier("efficientnet_lite0", pretrained=True, num_classes=2, seed=0)
    model.compile(optimizer="adam", lr=lr, metrics=["accuracy"])
    strategy = "freeze" if unfreeze_at is None else ("freeze_unfreeze", unfreeze_at)
    history = model.finetune(data, epochs=epochs, strategy=strategy, seed=0, cache_dir=cache_dir)
    acc = model.evaluate(data, verbose=0, return_dict=True)["accuracy"]
    return {"accuracy": acc, **history.timing}


def run_cli(folder: str, epochs: int, lr: float, project: str) -> dict:
    """`pratique finetune` as a user types it (the features cache under $PRATIQUE_DATA, set by the caller)."""
    exe = os.path.join(os.path.dirname(sys.executable), "pratique")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-c", "from pratique.cli.main import main; main()"]
    cmd += ["finetune", "--data", folder, "--model", "efficientnet_lite0", "--pretrained", "--image-size", "224",
            "--strategy", "freeze", "--epochs", str(epochs), "--batch-size", "32", "--lr", str(lr),
            "--schedule", "none", "--project", os.path.join(project, "runs"), "--name", "run"]
    subprocess.run(cmd, check=True)
    runs = sorted((os.path.join(project, "runs", d) for d in os.listdir(os.path.join(project, "runs"))),
                  key=os.path.getmtime)
    with open(os.path.join(runs[-1], "report.json")) as f:
        report = json.load(f)
    return {"accuracy": report["accuracy"], **report.get("timing", {})}


def run_fastai(folder: str, epochs: int, lr: float) -> dict:
    import torch
    from fastai.vision.all import (
        Adam,
        CrossEntropyLossFlat,
        ImageDataLoaders,
        Normalize,
        Resize,
        accuracy,
        vision_learner,
    )

    torch.manual_seed(0)
    net = _lite0()
    head = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), net.get_classifier())
    dls = ImageDataLoaders.from_folder(folder, train="train", valid="val", item_tfms=Resize(224, method="squish"),
                                       batch_tfms=Normalize.from_stats(MEAN, STD), bs=32, num_workers=2,
                                       device=torch.device("cpu"))
    learn = vision_learner(dls, lambda pretrained=False, **kw: net, n_out=2, pretrained=False, init=None,
                           custom_head=head, normalize=False, loss_func=CrossEntropyLossFlat(),
                           opt_func=Adam, metrics=accuracy, train_bn=False)
    learn.freeze()  # pretrained=False above only keeps fastai from fetching weights: ours are loaded
    t = []
    with learn.no_logging(), learn.no_bar():
        for _ in range(epochs):
            t0 = time.perf_counter()
            learn.fit(1, lr=lr)
            t.append(round(time.perf_counter() - t0, 2))
    return {"accuracy": float(learn.validate()[1]), "epoch_seconds": t}
