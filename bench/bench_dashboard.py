"""Dashboard speed in a real browser (Playwright + Debian's Chromium).

1. Cold ``lexlens serve`` on the bundled sample until the landing page is fully drawn
   (script finished, every plotly chart has its SVG, no spinner): target < 10 s.
2. On the 225,000-record benchmark file (``lexlens sample --sessions 50000``, generated
   into bench/data/ when missing), after the first load, changing a sidebar filter until
   the Overview page is drawn again: target < 2 s.

Usage: python bench/bench_dashboard.py [--big FILE]. Prints the figures and writes
bench/results/dashboard.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from common import ensure_bench_file  # noqa: E402  (bench/common.py: the file bench_report.py times)
from dashboard_helpers import launch_chromium, serving, wait_drawn  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "lexlens.dashboard.json"
OVERVIEW_CHARTS = 3
FILTER_CHANGES = [("Locale", "en_GB"), ("Input mode", "Text"), ("Locale", "es_US"), ("Alias", "prod")]


def records_shown(page) -> str:
    return page.locator('[data-testid="stMetricValue"]').first.inner_text()


def measure_cold_start(playwright) -> float:
    """Seconds from starting ``lexlens serve`` (demo sample) to a fully drawn landing page."""
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    with serving([]) as url:
        page.goto(url)
        wait_drawn(page, charts=OVERVIEW_CHARTS)
        elapsed = time.perf_counter() - started
    browser.close()
    return elapsed


def pick_option(page, label: str, option: str) -> None:
    """Add ``option`` to the sidebar multiselect labelled ``label``."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label)
    widget.locator("input").click()
    widget.locator("input").fill(option)
    page.locator('[role="option"]').filter(has_text=option).first.click()
    page.keyboard.press("Escape")


def measure_filter_changes(playwright, path: Path) -> dict:
    """First load of the big file, then seconds per filter change until the page is redrawn."""
    browser = launch_chromium(playwright)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    with serving([path], timeout=120) as url:
        started = time.perf_counter()
        page.goto(url)
        wait_drawn(page, timeout_ms=600_000, charts=OVERVIEW_CHARTS)
        first_load = time.perf_counter() - started
        records = records_shown(page)
        timings = []
        for label, option in FILTER_CHANGES:
            started = time.perf_counter()
            pick_option(page, label, option)
            page.wait_for_function(
                """(before) => { const v = document.querySelector('[data-testid="stMetricValue"]');
                                 return v && v.innerText !== before; }""", arg=records, timeout=60_000,
                polling=20)
            wait_drawn(page, charts=OVERVIEW_CHARTS)
            timings.append(round(time.perf_counter() - started, 3))
            records = records_shown(page)
    browser.close()
    return {"first_load_s": round(first_load, 3), "filter_change_s": timings,
            "filter_change_median_s": statistics.median(timings), "filter_change_max_s": max(timings)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=Path, help="the benchmark file (default: bench/common.py's, generated if missing)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    big = args.big or ensure_bench_file()
    with sync_playwright() as playwright:
        cold = measure_cold_start(playwright)
        print(f"cold serve to drawn landing page (demo sample): {cold:.2f} s (target < 10 s)")
        changes = measure_filter_changes(playwright, big)
    print(f"benchmark file first load: {changes['first_load_s']:.2f} s")
    print(f"filter change to redrawn Overview: {changes['filter_change_s']} s "
          f"(median {changes['filter_change_median_s']:.2f} s, max {changes['filter_change_max_s']:.2f} s; "
          "target < 2 s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "cold_serve_to_drawn_s": round(cold, 3), "cold_target_s": 10,
        "big_file": str(big.relative_to(ROOT)) if big.is_relative_to(ROOT) else str(big),
        "big_file_bytes": big.stat().st_size, **changes, "filter_target_s": 2,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
