"""Fixtures of the browser tests of the maps (registered in ``conftest.py``).

``chromium``: one headless Debian Chromium per module (Playwright);
``sample_result``: the bundled sample city analysed at its as-of date;
``sample_maps``: its maps in Chinese and English (``tiles="none"``);
``view``: open a page at a named size with every non-``file://`` request aborted;
:func:`map_still`: wait for the map to stop moving before clicking what moves with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "layers"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SIZES = {"phone": (390, 844), "desktop": (1280, 900), "landscape": (844, 390)}


def map_still(page) -> None:
    """Wait until the map stops moving (a popup's auto-pan, a zoom).

    A popup opened near the edge pans the map to make room (0.25 s). A click
    on its close button while it moves can press on the button and release
    on the card, which is no click on the button: on a loaded machine the
    test then waits for a close that never comes (seen in CI).
    """
    page.wait_for_function("""() => { const m = window.geotool && window.geotool.map;
        return !m || (!(m._panAnim && m._panAnim._inProgress) && !m._animatingZoom); }""")


@pytest.fixture(scope="module")
def chromium():
    import os

    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("Debian chromium not installed: apt-get install chromium")
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def sample_result():
    if not (SAMPLE / "geotool.toml").exists():
        pytest.skip("layers/geotool.toml missing: run scripts/make_sample_city.py")
    from geotool.analysis.gaps import find_gaps
    from geotool.io.workspace import load_workspace

    loaded = load_workspace(SAMPLE)
    return find_gaps(loaded, params=loaded.workspace.defaults.with_overrides(
        as_of=loaded.workspace.defaults.as_of))


@pytest.fixture(scope="session")
def sample_maps(sample_result, tmp_path_factory):
    from geotool.output.render import render_maps

    out = {}
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(f"sample_{lang}")
        render_maps(sample_result, folder, tiles="none", lang=lang)
        out[lang] = folder
    return out


@pytest.fixture()
def view(chromium):
    contexts = []

    def _view(path: Path, size: str, **options):
        """``options``: more of Playwright's context options (``is_mobile``, ``has_touch``)."""
        w, h = SIZES[size]
        context = chromium.new_context(viewport={"width": w, "height": h}, **options)
        contexts.append(context)
        errors: list[str] = []
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                      else r.abort())
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("window.geotoolStats && window.geotoolStats.ready",
                               timeout=20_000)
        return page, errors

    yield _view
    for c in contexts:
        c.close()


