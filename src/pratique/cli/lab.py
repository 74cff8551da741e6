"""`pratique lab DEMO [--out DIR]`: run one of the lab's demos and write its figures."""
from __future__ import annotations

import sys

import click


@click.command()
@click.argument("demo", required=False)
@click.option("--out", default="runs/lab", show_default=True, help="Folder for the figures.")
@click.option("--list", "list_", is_flag=True, help="List the demos and exit.")
def lab(demo, out, list_):
    """Run lab DEMO: the fundamentals as runnable code, drawn as PNG/GIF.

    \b
    Examples:
      pratique lab --list
      pratique lab regions --out figures/
      pratique lab backprop
    """
    from ..lab.demos import list_demos, run_demo

    demos = list_demos()
    listing = "\n".join(f"  {name:<18} {about}" for name, about in demos.items())
    if list_:
        click.echo("Lab demos:\n" + listing)
        return
    if demo not in demos:
        what = f"Unknown lab demo {demo!r}." if demo else "Missing the DEMO to run."
        click.echo(f"Error: {what} Expected one of:\n{listing}", err=True)
        sys.exit(2)
    for path in run_demo(demo, out):
        click.echo(f"wrote {path}")
        if path.suffix == ".txt":
            click.echo(path.read_text())
