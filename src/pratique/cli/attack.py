"""`pratique attack MODEL`: accuracy under FGSM / PGD per epsilon, and a PNG of adversarials."""
from __future__ import annotations

import click


def _eps(ctx, param, value):
    try:
        values = [float(v) for v in value.split(",")]
    except ValueError:
        raise click.BadParameter(f"expected numbers in [0, 1] like 0.05,0.1,0.2. Received: {value!r}") from None
    bad = [v for v in values if not 0 <= v <= 1]
    if bad:
        raise click.BadParameter(f"epsilon is a fraction of the pixel range and must be in [0, 1]. "
                                 f"Received: {', '.join(map(str, bad))}")
    return values


def _attacks(ctx, param, value):
    from ..attacks import ATTACKS

    names = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [n for n in names if n not in ATTACKS]
    if bad or not names:
        raise click.BadParameter(f"unknown attack {', '.join(map(repr, bad)) or '(none)'}. "
                                 f"Expected some of: {','.join(ATTACKS)}.")
    return names


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option("--data", default="mnist5k", show_default=True, help="Dataset name (its test split).")
@click.option("--eps", default="0,0.01,0.02,0.05,0.1,0.2", show_default=True, callback=_eps,
              help="Comma-separated L-inf budgets, fractions of the pixel range [0, 1].")
@click.option("--method", default="fgsm,pgd", show_default=True, callback=_attacks,
              help="Comma-separated attacks: fgsm, pgd.")
@click.option("--limit", type=click.IntRange(min=1), help="Attack only the first N test images.")
@click.option("--out", type=click.Path(file_okay=False), default="runs/attack", show_default=True,
              help="Folder for adversarials.png (at the largest epsilon).")
def attack(model, data, eps, method, limit, out):
    """Attack MODEL on the test split of --data: accuracy per epsilon under each attack and
    under random noise of the same L-inf norm (the control), and a PNG of originals,
    perturbations and adversarials.

    \b
    Examples:
      pratique attack runs/train/best.pratique --eps 0.05,0.1,0.2
      pratique attack runs/train/best.pratique --method fgsm --limit 200 --out runs/attack
    """
    import os

    from ..attacks import plot_adversarials, robustness
    from ..data.datasets import load_data
    from ..tasks.model import load

    net = load(model)
    x, y = load_data(data)[1]
    rows = robustness(net, (x, y), eps, method, limit=limit)
    click.echo(f"{'eps':>6s} " + " ".join(f"{m:>7s}" for m in (*method, "noise")))
    for r in rows:
        click.echo(f"{r['eps']:6.3f} " + " ".join(f"{r[m]:7.4f}" for m in (*method, "noise")))
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "adversarials.png")
    plot_adversarials(net, x, y, eps=max(eps), method=method[-1], path=path)
    click.echo(f"adversarials ({method[-1]}, eps={max(eps):g}) written to {path}")
