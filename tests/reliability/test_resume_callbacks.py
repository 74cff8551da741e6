"""A fit interrupted and resumed with BackupAndRestore behaves as the uninterrupted one: each
callback's state comes back (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint)."""
import sys
from pathlib import Path

import pytest

from pratique.training.callbacks import (
    BackupAndRestore,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    ModelCheckpoint,
    ReduceLROnPlateau,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "training"))
from training_helpers import make_data, make_model, same, weights


class Interrupt(Exception):
    pass


def _stop_at(epoch):
    def boom(e, logs):
        if e == epoch:
            raise Interrupt
    return LambdaCallback(on_epoch_begin=boom)


def _runs(values, make_callback, tmp_path, stop_at=3):
    """(uninterrupted model, history, callback), (resumed model, history, callback): the same
    scripted "score" each epoch; the second run is interrupted at `stop_at` and resumed afresh."""
    def fit(model, cb, extra=(), backup=tmp_path / "backup"):
        score = LambdaCallback(on_epoch_end=lambda e, logs: logs.update(score=values[e]))
        return model.fit(*make_data(), epochs=len(values), batch_size=16, verbose=0, seed=0,
                         callbacks=[score, cb, BackupAndRestore(backup), *extra])

    ref_cb = make_callback("ref")
    ref = make_model()
    ref_hist = fit(ref, ref_cb, backup=tmp_path / "ref-backup")
    with pytest.raises(Interrupt):
        fit(make_model(), make_callback("run"), extra=[_stop_at(stop_at)])
    cb = make_callback("run")  # a new process: fresh objects, state from the backup
    model = make_model(seed=5)
    hist = fit(model, cb)
    return (ref, ref_hist, ref_cb), (model, hist, cb)


def test_early_stopping_state_survives_resume(tmp_path):
    values = [1.0, 0.5, 0.7, 0.8, 0.9, 0.95]  # best at epoch 1: patience 3 stops at epoch 4
    (ref, ref_hist, ref_cb), (model, hist, cb) = _runs(
        values, lambda _: EarlyStopping(monitor="score", mode="min", patience=3), tmp_path)
    assert ref_hist.epoch == [0, 1, 2, 3, 4]
    assert hist.epoch == ref_hist.epoch and cb.best == ref_cb.best == 0.5
    assert same(weights(model), weights(ref))


def test_reduce_lr_on_plateau_state_survives_resume(tmp_path):
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98]  # reduces after epochs 3 and 5
    (ref, ref_hist, _), (model, hist, _) = _runs(
        values, lambda _: ReduceLROnPlateau(monitor="score", mode="min", patience=2, factor=0.5, min_delta=0),
        tmp_path)
    assert ref_hist.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.05, 0.05])
    assert hist.history["learning_rate"] == ref_hist.history["learning_rate"]
    assert same(weights(model), weights(ref))  # the same rates, so the same weights, exactly


def test_model_checkpoint_best_survives_resume(tmp_path):
    values = [1.0, 0.5, 0.7, 0.6, 0.4]  # after the resume, 0.6 is not an improvement on 0.5
    dirs = {"ref": tmp_path / "ref-ckpt", "run": tmp_path / "run-ckpt"}
    _runs(values, lambda which: ModelCheckpoint(dirs[which] / "e{epoch}.safetensors",
                                                monitor="score", mode="min", save_best_only=True), tmp_path)
    saved = {k: sorted(p.name for p in d.iterdir()) for k, d in dirs.items()}
    assert saved["ref"] == ["e1.safetensors", "e2.safetensors", "e5.safetensors"]
    assert saved["run"] == saved["ref"]


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_csv_logger_rebuilds_a_damaged_metrics_csv_on_resume(tmp_path, damage):
    def fit(path, backup, extra=()):
        return make_model().fit(*make_data(), epochs=4, batch_size=16, verbose=0, seed=0,
                                callbacks=[CSVLogger(path, append=True), BackupAndRestore(backup), *extra])

    fit(tmp_path / "ref.csv", tmp_path / "ref-backup")
    run = tmp_path / "run.csv"
    with pytest.raises(Interrupt):
        fit(run, tmp_path / "backup", extra=[_stop_at(3)])
    assert len(run.read_text().splitlines()) == 4  # header + 3 epochs
    if damage == "truncate":  # a disk full or a crash mid-write: rows 2-3 and half of row 1 lost
        run.write_bytes(run.read_bytes()[:len(run.read_text().splitlines()[0]) + 10])
    else:
        run.unlink()
    fit(run, tmp_path / "backup")  # rows 0-2 come back from the checkpoint, row 3 is written
    assert run.read_text() == (tmp_path / "ref.csv").read_text()
