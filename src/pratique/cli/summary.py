"""`pratique summary NAME --input-shape C,H,W`: the Keras-style table of a model."""
from __future__ import annotations

import click

from ..core.errors import PratiqueError


def parse_shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(s) for s in text.split(","))
    except ValueError:
        shape = ()
    if not shape or any(s < 1 for s in shape):
        raise PratiqueError(f"--input-shape must be positive integers separated by commas (C,H,W), like 1,28,28. "
                            f"Received: {text!r}")
    return shape


@click.command()
@click.argument("name")
@click.option("--input-shape", default=None, help="Input shape C,H,W (default: the model's own).")
@click.option("--num-classes", type=int, default=10, show_default=True)
def summary(name, input_shape, num_classes):
    """Print layers, output shapes and parameter counts of model NAME.

    \b
    Examples:
      pratique summary lenet5 --input-shape 1,28,28
      pratique summary resnet18 --num-classes 2
    """
    import inspect

    from ..models.registry import create_model, get_model_card
    from ..models.summary import summarize

    card = get_model_card(name)
    shape = parse_shape(input_shape) if input_shape else card.input_size
    kwargs = {}
    if len(shape) == 3 and "input_size" in inspect.signature(card.fn).parameters:
        kwargs["input_size"] = shape[1] if shape[1] == shape[2] else shape[1:]  # lenet5 on 32x32
    module = create_model(name, num_classes=num_classes, in_channels=shape[0], **kwargs)
    click.echo(str(summarize(module, shape)))
