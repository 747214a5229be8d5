#!/usr/bin/python3
"""The classroom playground's speed as a student meets it, in headless Chromium:

- first answer: from the page's request to the baseline's answer drawn on screen, by the browser's
  own clock (window.polarityTimings.firstAnswerMs); the first load of a fresh browser, then the
  median of LOADS reloads;
- one slider move: request, model and reply, median over 50 key presses on the enforcement slider;
- "run 200 futures": median over 5 presses.

Usage: benchmarks/serve_playground.py BUILD_DIR [LOADS]   (prints one JSON object)
Target (issue "A classroom playground"): the first answer within a second."""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


def timings(d):
    return d.execute_script("return window.polarityTimings")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    loads = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    server = subprocess.Popen([os.path.join(build, "polarity"), "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    url = re.search(r"(http://\S+?:\d+/)", server.stdout.readline()).group(1)
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-proxy-server",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(d, 30, poll_frequency=0.01)
        first = []
        for _ in range(loads + 1):
            d.get(url)
            wait.until(lambda d: timings(d)["firstAnswerMs"] is not None)
            first.append(timings(d)["firstAnswerMs"])
        Select(d.find_element(By.ID, "preset")).select_by_value("enforcement_vs_rules")
        wait.until(lambda d: len(timings(d)["run"]) >= 2 and d.find_elements(By.ID, "lever-enforcement"))
        slider = d.find_element(By.ID, "lever-enforcement")
        for i in range(50):
            n = len(timings(d)["run"])
            slider.send_keys(Keys.ARROW_LEFT if i % 2 == 0 else Keys.ARROW_RIGHT)
            wait.until(lambda d: len(timings(d)["run"]) > n)
            time.sleep(0.02)
        for i in range(5):
            d.find_element(By.ID, "futures").click()
            wait.until(lambda d: len(timings(d)["study"]) > i and d.find_element(By.ID, "futures").is_enabled())
        t = timings(d)
        report = {"first_answer_fresh_browser_ms": round(first[0], 1),
                  "first_answer_median_ms": round(statistics.median(first[1:]), 1),
                  "first_answer_max_ms": round(max(first[1:]), 1), "loads": loads,
                  "slider_move_median_ms": round(statistics.median(t["run"][-50:]), 1),
                  "run_200_futures_median_ms": round(statistics.median(t["study"]), 1)}
        print(json.dumps(report, indent=1))
    finally:
        d.quit()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
