"""The page at / in headless Chromium (Selenium): pick an mnist5k digit, read the predicted label."""
import os
import shutil

import pytest

from pratique.serve.app import create_app

from .conftest import running

_BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
_DRIVER = shutil.which("chromedriver")
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--window-size=900,700", "--hide-scrollbars"]


@pytest.mark.skipif(_BROWSER is None or _DRIVER is None, reason="chromium or chromedriver is not "
                    "installed (apt-get install chromium chromium-driver); CI installs them")
def test_page_shows_the_predicted_label_of_an_uploaded_digit(digits, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    files = digits["files"][:2]
    expected = [str(lab) for lab in digits["loaded"].predict([str(f) for f in files], output="labels")]
    options = webdriver.ChromeOptions()
    options.binary_location = _BROWSER
    for flag in [*_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    with running(create_app(digits["model"])) as url:
        driver = webdriver.Chrome(options=options, service=Service(_DRIVER))
        try:
            driver.set_page_load_timeout(30)
            driver.get(url + "/")
            wait = WebDriverWait(driver, 30)
            wait.until(lambda d: "classes" in d.find_element(By.ID, "meta").text)
            driver.find_element(By.ID, "files").send_keys("\n".join(str(f) for f in files))
            wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".prediction .label")))
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".prediction .label")) == 2)
            labels = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".prediction .label")]
            cards = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".prediction")]
            bars = driver.find_elements(By.CSS_SELECTOR, ".prediction .bar")
            if os.environ.get("PRATIQUE_SERVE_SCREENSHOT"):  # docs/img/serve-page.png is made so
                driver.save_screenshot(os.environ["PRATIQUE_SERVE_SCREENSHOT"])
        finally:
            driver.quit()
    assert labels == expected[::-1]  # the newest card first: the page prepends
    assert [c.split("\n")[1].split(":")[0] for c in cards] == [f.name for f in files[::-1]]
    assert len(bars) == 2 * 5  # top-5 bars per image
