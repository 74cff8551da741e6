"""Port of keras/src/callbacks/csv_logger_test.py::test_CSVLogger (keras-team/keras), Keras'
assertions unchanged. (test_stop_training_csv is in test_terminate_on_nan.py.)"""
import csv
import os
import re

import numpy as np
from torch import nn

from pratique.training.callbacks import CSVLogger

TRAIN_SAMPLES = 10
TEST_SAMPLES = 10
INPUT_DIM = 3
BATCH_SIZE = 4


# CSVLoggerTest.test_CSVLogger
def test_CSVLogger(tmp_path):
    import pratique as pq

    OUTPUT_DIM = 1
    np.random.seed(1337)
    filepath = os.path.join(tmp_path, "log.tsv")
    sep = "\t"
    x_train = np.random.random((TRAIN_SAMPLES, INPUT_DIM)).astype("float32")
    y_train = np.random.random((TRAIN_SAMPLES, OUTPUT_DIM)).astype("float32")
    x_test = np.random.random((TEST_SAMPLES, INPUT_DIM)).astype("float32")
    y_test = np.random.random((TEST_SAMPLES, OUTPUT_DIM)).astype("float32")

    def make_model():
        # Keras: Sequential([Dense(2, activation="relu"), Dense(OUTPUT_DIM)])
        module = nn.Sequential(nn.Linear(INPUT_DIM, 2), nn.ReLU(), nn.Linear(2, OUTPUT_DIM))
        return pq.Model(module, accelerator="cpu").compile(loss="mse", optimizer="sgd", metrics=["mse"])

    # case 1, create new file with defined separator
    model = make_model()
    cbks = [CSVLogger(filepath, separator=sep)]
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, validation_data=(x_test, y_test),
              callbacks=cbks, epochs=1, verbose=0)
    assert os.path.exists(filepath)
    with open(filepath) as csvfile:
        dialect = csv.Sniffer().sniff(csvfile.read())
    assert dialect.delimiter == sep
    del model
    del cbks

    # case 2, append data to existing file, skip header
    model = make_model()
    cbks = [CSVLogger(filepath, separator=sep, append=True)]
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, validation_data=(x_test, y_test),
              callbacks=cbks, epochs=1, verbose=0)

    # case 3, reuse of CSVLogger object
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, validation_data=(x_test, y_test),
              callbacks=cbks, epochs=2, verbose=0)
    with open(filepath) as csvfile:
        list_lines = csvfile.readlines()
        for line in list_lines:
            assert line.count(sep) == 4
        assert len(list_lines) == 5
        output = " ".join(list_lines)
        assert len(re.findall("epoch", output)) == 1
    os.remove(filepath)

    # case 3, Verify Val. loss also registered when Validation Freq > 1
    model = make_model()
    cbks = [CSVLogger(filepath, separator=sep)]
    hist = model.fit(x_train, y_train, batch_size=BATCH_SIZE, validation_data=(x_test, y_test),
                     validation_freq=3, callbacks=cbks, epochs=5, verbose=0)
    assert os.path.exists(filepath)
    with open(filepath) as csvfile:
        rows = csv.DictReader(csvfile, delimiter=sep)
        for idx, row in enumerate(rows, 1):
            assert "val_loss" in row
            if idx == 3:
                assert row["val_loss"] == str(hist.history["val_loss"][0])
            else:
                assert row["val_loss"] == "NA"
