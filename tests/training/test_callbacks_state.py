"""TerminateOnNaN, BackupAndRestore, CSVLogger append, RemoteMonitor, SwapEMAWeights, ProgbarLogger,
ResumeCheckpoint."""
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import torch
import torch.nn.functional as F
from training_helpers import make_model, same, weights

from pratique.training.callbacks import (
    BackupAndRestore,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    ModelCheckpoint,
    ProgbarLogger,
    RemoteMonitor,
    SwapEMAWeights,
    TerminateOnNaN,
)


def nan_at(call: int):
    """cross_entropy whose `call`-th call (counting from 0) returns NaN."""
    calls = [0]

    def loss(out, y):
        value = F.cross_entropy(out, y)
        calls[0] += 1
        return value * float("nan") if calls[0] - 1 == call else value
    return loss


def test_terminate_on_nan_stops_before_the_bad_update(data, tmp_path):
    model = make_model()
    model.loss_fn = nan_at(8)  # 6 batches an epoch: batch 2 of the second epoch
    after_batch = []
    record = LambdaCallback(on_train_batch_end=lambda b, logs: after_batch.append(weights(model)))
    last = tmp_path / "last.safetensors"
    best = tmp_path / "best.safetensors"
    ton = TerminateOnNaN()
    hist = model.fit(*data, epochs=5, batch_size=16, verbose=0, callbacks=[
        ton, record, ModelCheckpoint(last, save_best_only=False),
        ModelCheckpoint(best, monitor="loss", save_best_only=True)])
    assert ton.terminated_at == (1, 2)
    assert len(after_batch) == 8 and hist.epoch == [0, 1]
    assert same(weights(model), after_batch[-1])  # the NaN batch changed nothing
    assert all(torch.isfinite(v).all() for v in weights(model).values())
    from safetensors.torch import load_file
    assert all(load_file(str(last))[k].equal(v) for k, v in after_batch[-1].items())


def test_no_finite_check_without_the_callback(data):
    model = make_model()
    model.loss_fn = nan_at(1)
    model.fit(*data, epochs=1, batch_size=16, verbose=0)
    assert not all(torch.isfinite(v).all() for v in weights(model).values())  # NaN went through


class Interrupt(Exception):
    pass


def test_backup_and_restore_resumes_exactly(data, tmp_path):
    ref = make_model(optimizer="adam", lr=0.01, schedule="cosine")
    es_ref = EarlyStopping(monitor="loss", patience=10)
    ref.fit(*data, epochs=4, batch_size=16, verbose=0, seed=3, callbacks=[es_ref])

    def boom(epoch, logs):
        if epoch == 2:
            raise Interrupt
    model = make_model(optimizer="adam", lr=0.01, schedule="cosine")
    es = EarlyStopping(monitor="loss", patience=10)
    with pytest.raises(Interrupt):
        model.fit(*data, epochs=4, batch_size=16, verbose=0, seed=3, callbacks=[
            BackupAndRestore(tmp_path), es, LambdaCallback(on_epoch_begin=boom)])
    assert (tmp_path / "latest.ckpt").exists()
    model = make_model(seed=9, optimizer="adam", lr=0.01, schedule="cosine")  # a fresh process
    es2 = EarlyStopping(monitor="loss", patience=10)
    hist = model.fit(*data, epochs=4, batch_size=16, verbose=0, seed=3,
                     callbacks=[BackupAndRestore(tmp_path), es2])
    assert hist.epoch == [0, 1, 2, 3]  # History is restored too: the whole run's record
    assert es2.best == es_ref.best and es2.best_epoch == es_ref.best_epoch  # its state came back
    assert same(weights(model), weights(ref))  # bit for bit the uninterrupted run (CPU)
    assert not (tmp_path / "latest.ckpt").exists()  # deleted once training ended normally


def test_csv_logger_append_resumes_a_file(data, tmp_path):
    path = tmp_path / "log.csv"
    model = make_model()
    model.fit(*data, epochs=2, batch_size=32, verbose=0, validation_data=data, callbacks=[CSVLogger(path)])
    model.fit(*data, epochs=3, initial_epoch=2, batch_size=32, verbose=0, validation_data=data,
              callbacks=[CSVLogger(path, append=True)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1", "2"]
    model.fit(*data, epochs=1, batch_size=32, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    assert path.read_text().splitlines()[0] == "epoch;accuracy;loss"  # no append: a new file


def test_remote_monitor_posts_every_epoch(data):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers.get("X-Run"), json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_port}"
        hist = make_model().fit(*data, epochs=3, batch_size=32, verbose=0, callbacks=[
            RemoteMonitor(root, path="/epoch", headers={"X-Run": "t1"}, send_as_json=True)])
    finally:
        server.shutdown()
    assert [r[2]["epoch"] for r in received] == [0, 1, 2]
    assert [r[2]["loss"] for r in received] == pytest.approx(hist.history["loss"])
    assert {r[0] for r in received} == {"/epoch"} and {r[1] for r in received} == {"t1"}


def test_remote_monitor_unreachable_only_warns(data):
    with pytest.warns(UserWarning, match="RemoteMonitor"):
        make_model().fit(*data, epochs=1, verbose=0, callbacks=[RemoteMonitor("http://127.0.0.1:9", timeout=1)])


def test_swap_ema_weights_is_the_ema_of_every_step(data):
    model = make_model()
    ema = weights(model)
    decay = 0.8

    def track(batch, logs):
        for k, v in weights(model).items():
            ema[k] = decay * ema[k] + (1 - decay) * v
    swap = SwapEMAWeights(decay=decay)
    seen_in_val = []
    hist = model.fit(*data, epochs=2, batch_size=16, verbose=0, validation_data=data, callbacks=[
        LambdaCallback(on_train_batch_end=track), swap,
        LambdaCallback(on_test_begin=lambda logs: seen_in_val.append(weights(model)))])
    assert all(torch.allclose(weights(model)[k], ema[k], atol=1e-6) for k in ema)  # finalize
    assert all(torch.allclose(seen_in_val[-1][k], ema[k], atol=1e-6) for k in ema)
    assert model.evaluate(*data, verbose=0, return_dict=True)["loss"] == pytest.approx(hist.history["val_loss"][-1], rel=1e-5)


def test_progbar_plain_lines_when_not_a_tty(data):
    out = io.StringIO()
    make_model().fit(*data, epochs=2, batch_size=32, verbose=0, validation_data=data,
                     callbacks=[ProgbarLogger(1, stream=out)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"Epoch 1/2 - \d+\.\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4} - "
                        r"val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}", lines[0])


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _fit_counting_metric_reads(data, bar) -> list:
    """One epoch with `bar`; one list entry per compute() of the accuracy metric."""
    model = make_model()
    reads = []
    acc = model.metrics[0]
    compute = acc.compute
    acc.compute = lambda: reads.append(1) or compute()
    model.fit(*data, epochs=1, batch_size=32, verbose=0, callbacks=[bar])
    return reads


def test_progbar_live_line_shows_running_metrics(data):
    out = _Terminal()
    bar = ProgbarLogger(1, stream=out)
    bar.refresh_seconds = 0.0  # every batch, so the short fit surely draws one
    reads = _fit_counting_metric_reads(data, bar)
    live = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())  # drop the terminal codes
    # the bar's own line (with its batch count), not the epoch summary printed after it
    assert re.search(r"3/3 [^\n]*loss: \d\.\d{4} - accuracy: \d\.\d{4}", live)
    assert len(reads) == 3 + 1  # one per batch at refresh_seconds=0, one for the epoch's logs


def test_progbar_reads_metrics_only_at_refresh(data):
    bar = ProgbarLogger(1, stream=_Terminal())
    bar.refresh_seconds = 60.0  # the first batch draws, the next two are within the interval
    reads = _fit_counting_metric_reads(data, bar)
    assert len(reads) == 1 + 1  # the first batch's refresh, then the epoch's logs
    assert "accuracy" in bar.live_info({"loss": torch.tensor(0.5)})


def test_resume_checkpoint_is_a_public_callback(data, tmp_path):
    import pratique as pq
    from pratique.training.resume import ResumeCheckpoint

    assert pq.callbacks.ResumeCheckpoint is ResumeCheckpoint
    make_model().fit(*data, epochs=1, batch_size=32, verbose=0,
                     callbacks=pq.callbacks.ResumeCheckpoint(tmp_path / "last.ckpt"))
    assert (tmp_path / "last.ckpt").is_file()
