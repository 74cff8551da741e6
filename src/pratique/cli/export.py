"""`pratique export MODEL`: ONNX or TorchScript, checked against the eager model."""
from __future__ import annotations

import click

from ._options import out_file


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["onnx", "torchscript"]), default="onnx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), callback=out_file, help="Output file (default: MODEL with .onnx/.torchscript).")
@click.option("--bake-normalization", is_flag=True,
              help="Put (x - mean) / std in the graph, so it takes pixels scaled to [0, 1].")
@click.option("--opset", type=click.IntRange(min=7), default=17, show_default=True, help="ONNX opset.")
@click.option("--no-check", is_flag=True, help="Skip comparing the export with the eager model.")
def export(model, fmt, out, bake_normalization, opset, no_check):
    """Export a saved MODEL (.pratique) to ONNX (dynamic batch) or TorchScript.

    The classes, preprocessing and input shape are stored in the file, so
    `pratique predict model.onnx photos/` runs it through onnxruntime.

    \b
    Examples:
      pratique export runs/train/best.pratique                       # -> runs/train/best.onnx
      pratique export runs/train/best.pratique --bake-normalization --out digits.onnx
      pratique export runs/train/best.pratique --format torchscript
    """
    from ..tasks.export import export as run_export

    result = run_export(model, out, fmt, bake_normalization, not no_check, opset)
    check = "skipped" if result["max_abs_diff"] is None else f"max abs diff vs eager {result['max_abs_diff']:.2e}"
    click.echo(f"exported {result['path']} ({fmt}; check: {check})")
