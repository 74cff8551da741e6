"""`pratique cache FOLDER`: decodes once; the next ImageData of that folder reads the cache."""
import torch

from pratique import ImageData
from pratique.cli.main import main
from pratique.data.datasets import write_shapes_folder


def test_cache_command_builds_what_from_folders_then_reads(tmp_path, capsys):
    root = write_shapes_folder(tmp_path / "shapes", n_per_class=6, image_size=16, seed=1)
    main(["cache", str(root), "--image-size", "8", "--cache-dir", str(tmp_path / "c"), "--workers", "0"])
    out = capsys.readouterr().out
    assert "decoding 18 images (cached for next epochs)" in out
    assert "Cached in" in out and "18 images of 1x8x8" in out and str(tmp_path / "c") in out
    main(["cache", str(root), "--image-size", "8", "--cache-dir", str(tmp_path / "c")])
    assert "Already cached: 18 images" in capsys.readouterr().out
    data = ImageData.from_folders(root, image_size=8, cache_dir=tmp_path / "c", val_split=0.5, num_workers=0)
    assert data.cache_info["hit"] is True  # another split of the same files: the same cache
    plain = ImageData.from_folders(root, image_size=8, cache=None, val_split=0.5, num_workers=0)
    for split in ("train", "val"):
        assert torch.equal(torch.cat([x for x, _ in data.eval_batches(split)]),
                           torch.cat([x for x, _ in plain.eval_batches(split)]))


def test_cache_command_help_says_what_it_does(capsys):
    try:
        main(["cache", "--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    assert "training resolution" in out and "--max-bytes" in out and "pratique cache pets/" in out
