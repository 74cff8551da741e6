"""`pratique check-data PATH`: decode every file and report what is wrong with the data."""
from __future__ import annotations

import sys

import click


@click.command("check-data")
@click.argument("path", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_data(path, as_json):
    """Check a folder of class folders (or train/ val/ test/ splits): corrupt, truncated or
    mislabelled-extension files, empty or single classes, val/test classes missing from train,
    imbalance, modes, tiny images, leakage.
    Exits 1 when there are errors.

    \b
    Examples:
      pratique check-data pets/
      pratique check-data pets/ --json > report.json
    """
    from ..data.scan import check_folder

    report = check_folder(path)
    click.echo(report.to_json() if as_json else str(report))
    if not report.ok:
        sys.exit(1)
