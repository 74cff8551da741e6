"""The `pratique` command: a group of subcommands, one file each, thin over the Python API."""
from __future__ import annotations

import sys
import traceback

import click

from ..core.errors import PratiqueError

_COMMANDS = {  # name -> "module:function", imported only when that command runs
    "train": "train:train",
    "datasets": "listing:datasets",
    "models": "listing:models",
    "summary": "summary:summary",
    "lab": "lab:lab",
    "tensorboard": "tensorboard:tensorboard",
    "check-data": "check_data:check_data",
    "cache": "cache:cache",
    "finetune": "finetune:finetune",
    "lr-find": "lr_find:lr_find",
    "evaluate": "evaluate:evaluate",
    "predict": "predict:predict",
    "export": "export:export",
    "serve": "serve:serve",
    "list": "list_cmd:list_names",
    "explain": "explain:explain",
    "attack": "attack:attack",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(_COMMANDS)

    def get_command(self, ctx, name):
        if name not in _COMMANDS:
            return None
        import importlib

        module, attr = _COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"pratique.cli.{module}"), attr)

    def resolve_command(self, ctx, args):
        if args and args[0] not in _COMMANDS and not args[0].startswith("-"):
            import difflib

            close = difflib.get_close_matches(args[0], _COMMANDS, n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {args[0]!r}.{hint} Commands: {', '.join(sorted(_COMMANDS))}.")
        return super().resolve_command(ctx, args)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.version_option(package_name="pratique")
@click.pass_context
def cli(ctx, debug):
    """pratique: deep learning by practice.

    \b
    Examples:
      pratique train                          # LeNet-5 on the bundled mnist5k
      pratique train --model mlp --epochs 3
      pratique evaluate runs/train/best.pratique
      pratique predict runs/train/best.pratique photos/ --top-k 3 --out preds.csv
      pratique export runs/train/best.pratique --format onnx
      pratique summary lenet5 --input-shape 1,28,28
      pratique cache pets/ --image-size 224  # decode once, for every later run
      pratique datasets
    """
    ctx.obj = {"debug": debug}


def main(argv=None) -> None:
    """Entry point: user errors exit 2 with a message and no traceback (unless --debug)."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="pratique", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except (PratiqueError, FileNotFoundError) as e:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {e}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001  (a failure, not a usage error)
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"Error: {type(e).__name__}: {e}  (run with --debug for the traceback)", err=True)
        sys.exit(1)
