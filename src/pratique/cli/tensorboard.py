"""`pratique tensorboard`: start TensorBoard on the run directories, on this machine only."""
from __future__ import annotations

import os

import click


@click.command()
@click.option("--logdir", default="runs", show_default=True, help="Folder of run directories.")
@click.option("--port", type=int, default=6006, show_default=True, help="Port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def tensorboard(logdir, port, host):
    """Start TensorBoard on LOGDIR and print its address; Ctrl-C stops it.

    \b
    Examples:
      pratique tensorboard
      pratique tensorboard --logdir runs --port 6007
    """
    if not os.path.isdir(logdir):
        raise FileNotFoundError(f"No run folder at {logdir!r}. Train first (`pratique train`), "
                                "or pass --logdir with the folder holding your runs.")
    from tensorboard import program

    board = program.TensorBoard()
    board.configure(argv=[None, "--logdir", logdir, "--host", host, "--port", str(port),
                          "--reload_interval", "5"])
    url = board.launch()  # serves from a background thread
    click.echo(f"TensorBoard {url} (runs in {logdir}); press Ctrl-C to stop.", err=False)
    import threading

    threading.Event().wait()  # until Ctrl-C; main() turns KeyboardInterrupt into exit 130
