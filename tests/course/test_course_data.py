"""The course's data code, written as the course (PyTorch, Keras, Lightning Flash) writes it:
the right result, or a clear error."""
import numpy as np
import pytest
import torch
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, TensorDataset
from torchvision import transforms

import pratique as pq
from pratique import PratiqueError


def _mlp(in_features, classes=3):
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(in_features, classes))


# -- the course's PyTorch ------------------------------------------------------------------------
def test_normalized_torchvision_dataset_is_kept_exactly():
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_set = torchvision.datasets.FakeData(size=24, image_size=(1, 28, 28), num_classes=3, transform=transform)
    data = pq.ImageData.from_dataset(train_set, batch_size=24, num_workers=0)
    x, y = next(iter(data.eval_batches("train")))
    want = torch.stack([train_set[i][0] for i in range(24)])
    assert x.shape == (24, 1, 28, 28) and x.min() < 0  # gray stays gray; nothing clamped to [0, 1]
    assert torch.equal(x, want)  # no scaling, no normalization: the dataset's tensors exactly
    assert y.tolist() == [int(train_set[i][1]) for i in range(24)]


@pytest.mark.parametrize("option,match", [({"image_size": 32}, "transforms.Resize"),
                                          ({"color_mode": "rgb"}, "transforms.Grayscale"),
                                          ({"normalize": "imagenet"}, "a second time"),
                                          ({"augment": "standard"}, "already transformed")])
def test_options_that_would_change_a_normalized_dataset_are_refused(option, match):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_set = torchvision.datasets.FakeData(size=6, image_size=(1, 28, 28), num_classes=2, transform=transform)
    with pytest.raises(PratiqueError, match=match):
        pq.ImageData.from_dataset(train_set, num_workers=0, **option)


def test_normalized_dataset_streams_the_same_values():
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])
    ds = torchvision.datasets.FakeData(size=10, image_size=(3, 8, 8), num_classes=2, transform=transform)
    data = pq.ImageData.from_dataset(ds, batch_size=10, num_workers=0, memory_budget=1)  # streaming
    x, _ = next(iter(data.eval_batches("train")))
    assert torch.equal(x, torch.stack([ds[i][0] for i in range(10)]))


def test_fit_and_evaluate_take_a_dataloader_as_it_is():
    torch.manual_seed(0)
    xs, ys = torch.randn(64, 1, 4, 4) * 3 - 5, torch.arange(64) % 2  # far outside [0, 1]: untouched
    train_loader = DataLoader(TensorDataset(xs, ys), batch_size=16, shuffle=True)
    test_loader = DataLoader(TensorDataset(xs, ys), batch_size=32)
    model = pq.Model(_mlp(16, 2)).compile(optimizer="sgd", lr=0.1, loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(train_loader, epochs=2, validation_data=test_loader, verbose=0)
    assert len(history.history["val_loss"]) == 2
    logs = model.evaluate(test_loader, verbose=0, return_dict=True)
    with torch.no_grad():  # the reference: the course's own loop over the same loader
        ref = torch.nn.functional.cross_entropy(model.module(xs), ys).item()
    assert logs["loss"] == pytest.approx(ref, rel=1e-5)
    with pytest.raises(PratiqueError, match="DataLoader too"):
        model.fit(train_loader, validation_data=(xs, ys), verbose=0)


# -- Lightning Flash -----------------------------------------------------------------------------
def test_flash_from_datasets_and_transform_kwargs(split_folder):
    root, _ = split_folder
    ds = TensorDataset(torch.randint(0, 256, (12, 3, 8, 8), dtype=torch.uint8).float() / 255, torch.arange(12) % 3)
    with pytest.raises(PratiqueError, match="either val_split or validation"):
        pq.ImageData.from_datasets(train_dataset=ds, val_dataset=ds, val_split=0.2, num_workers=0)
    data = pq.ImageData.from_datasets(train_dataset=ds, val_dataset=ds, num_workers=0, batch_size=4)
    assert set(data.splits) == {"train", "val"}
    # Flash's transform: RGB, resize to image_size, Normalize(mean, std) (ImageNet's by default)
    data = pq.ImageData.from_folders(root / "train", transform_kwargs={"image_size": (20, 20)}, num_workers=0)
    assert data.preprocessing["input_shape"] == [3, 20, 20]
    assert data.preprocessing["mean"] == [0.485, 0.456, 0.406] and data.spec["horizontal_flip"]
    data = pq.ImageData.from_folders(root / "train", transform_kwargs={"image_size": 16, "mean": 0.5, "std": 0.5})
    assert data.preprocessing["mean"] == [0.5] * 3 and data.preprocessing["image_size"] == [16, 16]
    with pytest.raises(PratiqueError, match="image_size, mean and std"):
        pq.ImageData.from_folders(root / "train", transform_kwargs={"size": 16})


def test_flash_predict_files(split_folder):
    root, _ = split_folder
    files = sorted(str(p) for p in (root / "test").rglob("*.png"))
    data = pq.ImageData.from_files(predict_files=files[:3])
    model = pq.ImageClassifier("mlp", num_classes=3, in_channels=1, input_size=28)
    model.classes = ["0", "1", "2"]
    assert model.predict(data, output="labels").tolist() == model.predict(files[:3], output="labels").tolist()
    with pytest.raises(PratiqueError, match="missing"):
        pq.ImageData.from_files(predict_files=["nope.png"])


# -- the course's folders: data/{train,val,test}/<class>/ ----------------------------------------
def test_from_folders_uses_train_val_test_subfolders(split_folder):
    root, counts = split_folder
    data = pq.ImageData.from_folders(root, num_workers=0)
    assert {k: len(v[1]) for k, v in data.splits.items()} == counts
    model = pq.Model(_mlp(28 * 28)).compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(data, epochs=1, verbose=0)
    batches = data.eval_batches()
    assert batches.num_samples == counts["test"]


# -- Keras ---------------------------------------------------------------------------------------
def test_keras_image_data_generator_flow_from_directory(split_folder):
    root, counts = split_folder
    train_datagen = pq.ImageDataGenerator(rescale=1. / 255, rotation_range=20, horizontal_flip=True)
    test_datagen = pq.ImageDataGenerator(rescale=1. / 255)
    train_generator = train_datagen.flow_from_directory(root / "train", target_size=(28, 28),
                                                        batch_size=16, class_mode="sparse", color_mode="grayscale")
    validation_generator = test_datagen.flow_from_directory(root / "val", target_size=(28, 28),
                                                            batch_size=16, class_mode="sparse", color_mode="grayscale")
    model = pq.Model(_mlp(28 * 28)).compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(train_generator, epochs=1, validation_data=validation_generator, verbose=0)
    assert "val_accuracy" in history.history
    # rescale=1./255 is the one scaling: images are the PNGs' bytes / 255, not / 255**2
    x, _ = next(iter(validation_generator.eval_batches()))
    raw = validation_generator.splits["train"][0][:len(x)]
    assert torch.equal(x, raw.float() / 255) and x.max() > 0.5
    logs = model.evaluate(validation_generator, verbose=0, return_dict=True)  # every image of the folder
    assert validation_generator.eval_batches().num_samples == counts["val"] and 0 <= logs["accuracy"] <= 1


def test_keras_validation_split_takes_keras_files(split_folder):
    root, _ = split_folder
    gen = pq.ImageDataGenerator(rescale=1 / 255, validation_split=0.25)
    train = gen.flow_from_directory(root / "train", target_size=(28, 28), subset="training")
    val = gen.flow_from_directory(root / "train", target_size=(28, 28), subset="validation")
    assert len(train) == 3 * 23 and len(val) == 3 * 7  # int(0.25 * 30) = 7 per class
    with pytest.raises(PratiqueError, match="Supported arguments: rescale"):
        pq.ImageDataGenerator(rescale=1 / 255, featurewise_center=True)
    with pytest.raises(PratiqueError, match="rescale=1./255"):
        pq.ImageDataGenerator(horizontal_flip=True)
    with pytest.raises(PratiqueError, match="Did you mean 'rotation_range'"):
        pq.ImageDataGenerator(rescale=1 / 255, rotation=10)
    with pytest.raises(PratiqueError, match="class_mode='binary' is not supported"):
        gen.flow_from_directory(root / "train", class_mode="binary")


def test_keras_image_dataset_from_directory_split_is_keras(split_folder):
    root, _ = split_folder
    train_ds = pq.image_dataset_from_directory(root / "train", validation_split=0.2, subset="training",
                                               seed=1337, image_size=(28, 28), batch_size=32)
    val_ds = pq.image_dataset_from_directory(root / "train", validation_split=0.2, subset="validation",
                                             seed=1337, image_size=(28, 28), batch_size=32)
    assert len(train_ds) == 72 and len(val_ds) == 18 and val_ds.classes == ["0", "1", "2"]
    # Keras' split: files sorted by class then name, shuffled by RandomState(seed), the last 20% held out
    files = sorted((root / "train").rglob("*.png"), key=lambda p: (p.parent.name, p.name))
    np.random.RandomState(1337).shuffle(files)
    want = torch.stack([torch.from_numpy(np.array(Image.open(f)))[None] for f in files[-18:]])
    x, y = val_ds.splits["train"]
    assert y.tolist() == [int(f.parent.name) for f in files[-18:]]
    assert torch.equal(x[:, :1], want)  # rgb by default (Keras' color_mode): gray copied to 3 channels
    with pytest.raises(PratiqueError, match="needs a seed"):
        pq.image_dataset_from_directory(root / "train", validation_split=0.2, subset="training")
