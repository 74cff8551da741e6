"""`pratique cache FOLDER`: decode and resize a folder's images once, for every later run."""
from __future__ import annotations

import click


@click.command("cache")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--image-size", type=click.IntRange(min=1), default=None,
              help="The training resolution (default: the images' most common size).")
@click.option("--color-mode", type=click.Choice(["rgb", "grayscale"]), default=None,
              help="Default: grayscale when every image is, else rgb.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where caches live (default: $PRATIQUE_CACHE_DIR or ~/.cache/pratique/images).")
@click.option("--max-bytes", type=click.IntRange(min=0), default=None,
              help="The most all caches together may hold (default 10 GiB); the least recently "
                   "used ones are evicted first.")
@click.option("--workers", type=click.IntRange(min=0), default=None, help="Decoding processes.")
def cache(folder, image_size, color_mode, cache_dir, max_bytes, workers):
    """Decode every image of FOLDER (class folders, or train/ val/ test/ of them) once, at the
    training resolution, into the decoded-image cache that `pratique train` / `finetune` and
    `pq.ImageData.from_folders` read. Every file is checked as training checks it. A cache holds
    while no file is changed, added or removed and the size and colour mode are the same;
    otherwise the next run rebuilds it.

    \b
    Examples:
      pratique cache pets/ --image-size 224
      pratique cache digits/ --image-size 28 --color-mode grayscale
    """
    from ..data import ImageData

    data = ImageData.from_folders(folder, image_size=image_size, color_mode=color_mode, cache="disk",
                                  cache_dir=cache_dir, cache_max_bytes=max_bytes, num_workers=workers,
                                  normalize=False)
    info, shape = data.cache_info, data.preprocessing["input_shape"]
    if info["cache"] != "disk":
        raise click.ClickException("The images were not cached (see the line above).")
    what = "Already cached" if info["hit"] else f"Cached in {info['seconds']:.1f}s"
    click.echo(f"{what}: {info['images']} images of {'x'.join(map(str, shape))}, "
               f"{info['bytes'] / 2**20:.1f} MiB, in {info['path']}")
