"""Regenerate docs/images/serving.png (the page of `pratique serve` with three digits dropped on it):
PYTHONPATH=src python docs/make_serving_png.py   (needs chromium and chromedriver)"""
import os
import shutil
import socket
import tempfile
import threading
import time

import uvicorn
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import pratique as pq
from pratique.serve.app import create_app

root = tempfile.mkdtemp()
(x, y), (xt, _) = pq.datasets.load_data("mnist5k")
model = pq.ImageClassifier("lenet5", num_classes=10, seed=0)
model.classes = [str(i) for i in range(10)]
model.compile(lr=3e-3)
model.adapt_normalization(x)
model.fit(x, y, epochs=3, batch_size=64, verbose=0, seed=0)
model.save(os.path.join(root, "digits.pratique"))
files = []
for i in (3, 2, 1):
    files.append(os.path.join(root, f"mnist5k_test_{i}.png"))
    Image.fromarray(xt[i]).save(files[-1])

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = uvicorn.Server(uvicorn.Config(create_app(os.path.join(root, "digits.pratique")),
                                       host="127.0.0.1", port=port, log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
deadline = time.monotonic() + 30
while not server.started and time.monotonic() < deadline:
    time.sleep(0.05)

options = webdriver.ChromeOptions()
options.binary_location = shutil.which("chromium")
for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--window-size=820,940", "--hide-scrollbars", f"--user-data-dir={root}/profile"]:
    options.add_argument(flag)
driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
try:
    driver.get(f"http://127.0.0.1:{port}/")
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: "classes" in d.find_element(By.ID, "meta").text)
    driver.find_element(By.ID, "files").send_keys("\n".join(files))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".prediction .label")) == 3)
    driver.save_screenshot("docs/images/serving.png")
finally:
    driver.quit()
    server.should_exit = True
