"""`pratique explain MODEL IMAGE...`: attribution grids (saliency, Grad-CAM...) as PNGs."""
from __future__ import annotations

import click


def _methods(ctx, param, value):
    from ..explain import METHODS

    names = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [n for n in names if n not in METHODS]
    if bad or not names:
        raise click.BadParameter(f"unknown method {', '.join(map(repr, bad)) or '(none)'}. "
                                 f"Expected some of: {','.join(METHODS)}.")
    return names


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.argument("images", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--methods", default="saliency,integrated_gradients,occlusion,gradcam,guided_backprop",
              show_default=True, callback=_methods, help="Comma-separated attribution methods.")
@click.option("--target", type=click.IntRange(min=0), help="Class explained (default: the predicted one).")
@click.option("--layer", help="Layer Grad-CAM reads (default: the last conv block).")
@click.option("--out", type=click.Path(file_okay=False), default="runs/explain", show_default=True,
              help="Folder the PNGs are written to (one per image: <name>_explain.png).")
def explain(model, images, methods, target, layer, out):
    """Explain MODEL's prediction on each IMAGE: the image with its predicted class, then one
    attribution per method (Captum), written as a PNG per image.

    \b
    Examples:
      pratique explain runs/train/best.pratique digit.png
      pratique explain runs/train/best.pratique a.png b.png --methods saliency,occlusion,gradcam --out expl/
    """
    import os

    from ..explain import plot_attributions
    from ..tasks.model import load

    net = load(model)
    if layer is not None:  # an unknown layer fails before any folder is made
        from ..explain._pixels import find_layer

        find_layer(net.module, layer)
    os.makedirs(out, exist_ok=True)
    for image in images:
        path = os.path.join(out, f"{os.path.splitext(os.path.basename(image))[0]}_explain.png")
        plot_attributions(net, image, target=target, methods=methods, layer=layer, path=path)
        click.echo(path)
