"""README screenshots of the personas dashboard: desktop and phone, light and dark.

Writes ``docs/dashboard-desktop-light.png``, ``docs/dashboard-desktop-dark.png``,
``docs/dashboard-phone-light.png`` and ``docs/dashboard-phone-dark.png``: the dashboard
that ``dash-personas serve --personas personas.json --data scores.csv`` shows for the
files of ``make demo`` (light: the ``bootstrap`` theme, dark: ``darkly``), 1400 and 390
CSS pixels wide. The page is five to twenty screens long, so each picture is two slices
of it, one above the other: the top (title, filters, the first persona cards; ``--top``
pixels) and the comparison charts (``--charts`` pixels), cut at a dashed grey rule.

The personas and scores are read from ``--demo`` (default ``demo-output``, where
``make demo`` writes them); when they are missing they are built there first, exactly as
``dash-personas demo --no-serve`` does. The dashboard is served by waitress with
compression, as ``dash-personas serve`` serves it, on a free local port, and photographed
by Debian's headless Chromium through Selenium, like the browser tests.

Run: ``make screenshots``, or ``.venv/bin/python docs/make_screenshots.py [--demo DIR]
[--out DIR]``. Needs chromium and chromium-driver (``tools/install-chromium.sh``).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' wait for an idle Dash page

CHROMIUM = Path("/usr/bin/chromium")
#: (file name part, CSS width, mobile emulation) of every screenshot.
DEVICES = (("desktop", 1400, False), ("phone", 390, True))
#: (file name part, Bootstrap theme) of every screenshot.
THEMES = (("light", "bootstrap"), ("dark", "darkly"))
#: Charts the dashboard draws before it is photographed (gallery, comparison, sizes...).
MIN_PLOTS = 6


def demo_files(demo_dir: Path) -> tuple[Path, Path]:
    """``personas.json`` and ``scores.csv`` of ``make demo`` in ``demo_dir`` (built there
    with the demo's own steps when missing)."""
    personas, scores = demo_dir / "personas.json", demo_dir / "scores.csv"
    if not (personas.is_file() and scores.is_file()):
        from dash_personas.commands.demo import build_demo

        print(f"{demo_dir} has no demo files: building them (dash-personas demo --no-serve)")
        build_demo(demo_dir)
    return personas, scores


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve ``app`` as ``dash-personas serve`` does (waitress + compression) in a thread;
    yield its URL."""
    from waitress import create_server

    from dash_personas.serving import enable_compression

    enable_compression(app)
    # waitress warns about its queue whenever the page's requests outnumber its threads
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app.server, host="127.0.0.1", port=_free_port(), threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"
    finally:
        server.close()


def chromium() -> Any:
    """A headless Chromium driven by Selenium (the flags of the browser tests)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    if not CHROMIUM.exists() or shutil.which("chromedriver") is None:
        sys.exit("make_screenshots.py needs Debian's chromium and chromium-driver: "
                 "run `bash tools/install-chromium.sh`")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(60)
    return driver


def _wait(predicate: Callable[[], Any], timeout: float = 120.0) -> None:
    from _browser import wait_until

    wait_until(predicate, timeout)


def _emulate(driver: Any, width: int, height: int, mobile: bool) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def _slice(driver: Any, width: int, mobile: bool, top: int, height: int) -> Any:
    """The picture of the page from ``top`` down ``height`` CSS pixels (a Pillow image):
    the viewport is made that tall and scrolled there (the width, and so the layout of
    the responsive charts, stays the same)."""
    import io

    from _browser import wait_for_dash_idle
    from PIL import Image

    _emulate(driver, width, height, mobile)
    driver.execute_script("window.scrollTo(0, arguments[0])", top)
    wait_for_dash_idle(driver, timeout=60.0)
    time.sleep(1.0)  # let the charts finish drawing after the resize
    return Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")


def photograph(driver: Any, url: str, width: int, mobile: bool, heights: tuple[int, int],
               path: Path) -> None:
    """Load ``url`` at ``width`` CSS pixels and save two slices of it, one above the other:
    the top of the page (title, filters, the first persona cards) and the top of the
    comparison charts ("How the personas compare"), ``heights`` pixels tall."""
    from _browser import wait_for_dash_idle
    from PIL import Image

    _emulate(driver, width, 844 if mobile else 1000, mobile)
    driver.get(url)
    _wait(lambda: driver.execute_script(
        "return document.querySelectorAll('.js-plotly-plot .main-svg').length") >= MIN_PLOTS)
    wait_for_dash_idle(driver, timeout=60.0)
    compare = driver.execute_script(
        "return document.getElementById('compare').getBoundingClientRect().top + scrollY")
    slices = [_slice(driver, width, mobile, 0, heights[0]),
              _slice(driver, width, mobile, round(compare) - 16, heights[1])]
    background = slices[0].getpixel((2, 2))
    gap, rule = 28, (128, 128, 128)
    picture = Image.new("RGB", (width, sum(s.height for s in slices) + gap), background)
    picture.paste(slices[0], (0, 0))
    # a dashed grey rule where the page is cut
    y = slices[0].height + gap // 2
    for x in range(0, width, 16):
        picture.paste(rule, (x, y - 1, min(x + 8, width), y + 1))
    picture.paste(slices[1], (0, slices[0].height + gap))
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, optimize=True)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"wrote {shown} ({picture.width} x {picture.height} px)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", type=Path, default=ROOT / "demo-output",
                        help="Folder of make demo's files (built there when missing).")
    parser.add_argument("--out", type=Path, default=ROOT / "docs",
                        help="Folder for the PNG files.")
    parser.add_argument("--top", type=int, default=1400,
                        help="CSS pixels of the top of the page in each picture.")
    parser.add_argument("--charts", type=int, default=1500,
                        help="CSS pixels of the comparison charts in each picture.")
    args = parser.parse_args(argv)

    from dash_personas.app import create_app
    from dash_personas.personas import load_personas
    from survey_builder import read_scores

    personas_path, scores_path = demo_files(args.demo)
    personas = load_personas(personas_path)
    scores = read_scores(scores_path).frame
    driver = chromium()
    try:
        for mode, theme in THEMES:
            app = create_app(personas, scores, theme=theme, title="Customer personas",
                             name=f"screenshots-{mode}")
            with served(app) as url:
                for device, width, mobile in DEVICES:
                    photograph(driver, url, width, mobile, (args.top, args.charts),
                               args.out / f"dashboard-{device}-{mode}.png")
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
