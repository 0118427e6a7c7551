"""Shared test set-up: the headless Chromium that every browser test drives.

Browser tests (marker ``browser``) use ``dash[testing]``'s ``dash_duo`` with Debian's
``chromium`` and ``chromium-driver``; ``make test`` installs them
(``tools/install-chromium.sh``). Without them a browser test fails with that
instruction instead of being skipped, so a green run always includes them.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,1000")


def pytest_setup_options():
    """Chrome options for dash_duo (called by dash's pytest plugin)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if os.path.exists(CHROMIUM):
        options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    return options


@pytest.fixture(autouse=True)
def _require_browser(request):
    if "browser" in request.keywords and not (os.path.exists(CHROMIUM)
                                              and shutil.which("chromedriver")):
        pytest.fail("browser tests need Debian's chromium and chromium-driver: "
                    "run `bash tools/install-chromium.sh` (make test does)")
