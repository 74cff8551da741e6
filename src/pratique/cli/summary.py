"""`pratique summary NAME --input-shape C,H,W` (or C,L for series): the Keras-style table of a model."""
from __future__ import annotations

import click

from ..core.errors import PratiqueError


def parse_shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(s) for s in text.split(","))
    except ValueError:
        shape = ()
    if not shape or any(s < 1 for s in shape):
        raise PratiqueError("--input-shape must be positive integers separated by commas, C,H,W for "
                            f"images (like 1,28,28) or C,L for series (like 1,150). Received: {text!r}")
    return shape


def size_kwargs(name: str, card, shape: tuple[int, ...]) -> dict:
    """The builder's own size argument for `shape`: `input_size` (H, W) for images, `input_length`
    (L) for series; a shape of the other rank is refused when the builder takes no such argument."""
    import inspect

    params = inspect.signature(card.fn).parameters
    if len(shape) == 3 and "input_size" in params:
        return {"input_size": shape[1] if shape[1] == shape[2] else shape[1:]}  # lenet5 on 32x32
    if len(shape) == 2 and "input_length" in params:
        return {"input_length": shape[1]}  # cnn1d, mlp on series of that length
    if len(shape) != len(card.input_size):
        kind = "series C,L (like 1,150)" if card.is_series else "images C,H,W (like 1,28,28)"
        given = ",".join(map(str, shape))
        raise PratiqueError(f"{name} takes {kind}. Received --input-shape {given} "
                            f"({len(shape)} numbers). Pass the shape of one sample, channels first.")
    return {}


@click.command()
@click.argument("name")
@click.option("--input-shape", default=None,
              help="Input shape C,H,W, or C,L for series (default: the model's own).")
@click.option("--num-classes", type=int, default=10, show_default=True)
def summary(name, input_shape, num_classes):
    """Print layers, output shapes and parameter counts of model NAME.

    \b
    Examples:
      pratique summary lenet5 --input-shape 1,28,28
      pratique summary resnet18 --num-classes 2
      pratique summary fcn --input-shape 1,150
    """
    from ..models.registry import create_model, get_model_card
    from ..models.summary import summarize

    card = get_model_card(name)
    shape = parse_shape(input_shape) if input_shape else card.input_size
    kwargs = size_kwargs(name, card, shape)
    module = create_model(name, num_classes=num_classes, in_channels=shape[0], **kwargs)
    click.echo(str(summarize(module, shape)))
