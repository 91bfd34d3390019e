"""The rendered pages in a real browser (headless Chromium), served over HTTP on 127.0.0.1.

Every page of the built book is opened the way a reader opens it, in a fresh browser profile, with
every request that would leave the machine blocked (the pages must work offline). On each page:
no console error, no failed request, every image loaded, each explorer of that notebook drawn from
its stored default state (exactly once) with its static twin before it, and the exercise solutions
collapsed until the reader opens them. A full-page screenshot of each page goes to
test-artifacts/pages/. Search and the previous/next navigation are tried too.

For every reader: each page in light and in dark mode (the theme's switch, remembered in the
browser's storage), where the collection's own HTML (claim checks, explorers, tables: elements with
a ``te-`` class) must keep WCAG AA contrast, and every image must have a text alternative.
"""

from __future__ import annotations

import pytest

from browser import (IMAGES_WITHOUT_ALT, MONEY_SHOWN, Watch, artifact, block_non_local, book_html,  # noqa: F401
                     build_small_book, chromium, low_contrast, serve, small_book, summarise_contrast)
from conftest import NOTEBOOKS
from token_economy.widgets import all_explorers

pytestmark = pytest.mark.browser

STEMS = [p.stem for p in NOTEBOOKS]
EXPLORERS = all_explorers()

# JavaScript run in the page -----------------------------------------------------------------------
BROKEN_IMAGES = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = "eager"; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src || i.outerHTML.slice(0, 120));
}"""

#: Number of rendered views next to each stored widget view: 1 each, or the renderer ran twice.
VIEWS_PER_OUTPUT = """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
  .map(s => s.parentElement.querySelectorAll(':scope > .widget-subarea').length)"""

#: For each explorer: what the nearest earlier code cell with an output shows (its static twin should be
#: a figure, a table or rendered HTML, not another explorer or nothing).
STATIC_TWINS = """() => {
  const cells = [...document.querySelectorAll('div.cell')];
  return [...document.querySelectorAll('.te-explorer')].map(ex => {
    const at = cells.indexOf(ex.closest('div.cell'));
    for (let i = at - 1; i >= 0; i--) {
      const out = cells[i].querySelector('.cell_output');
      if (!out || !out.textContent.trim() && !out.querySelector('img')) continue;
      if (out.querySelector('.te-explorer')) return 'another explorer';
      if (out.querySelector('img, table, svg, .text_html')) return 'figure, table or HTML';
      return 'plain text only: ' + out.textContent.trim().slice(0, 80);
    }
    return 'nothing';
  });
}"""


@pytest.fixture(scope="module")
def site(book_html):  # noqa: F811
    with serve(book_html) as url:
        yield url


@pytest.fixture
def page(chromium):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    outside: list[str] = []
    block_non_local(context, outside)
    p = context.new_page()
    p.outside = outside
    # ajv (inside the widget renderer) warns about its schema in strict mode: a warning, not an error.
    p.watch = Watch(p)
    yield p
    context.close()


@pytest.mark.parametrize("stem", STEMS)
def test_page_in_a_real_browser(site, page, stem):
    page.goto(f"{site}/{stem}.html", wait_until="load")
    mine = [name for name, cls in EXPLORERS.items() if cls.notebook == stem]
    for name in mine:
        page.wait_for_selector(f".te-explorer-{name}", timeout=20_000)
    page.wait_for_load_state("networkidle")
    broken = page.evaluate(BROKEN_IMAGES)
    page.wait_for_timeout(300)  # let icon fonts and late widget images settle before the screenshot
    page.screenshot(path=artifact("pages", f"{stem}.png"), full_page=True)

    assert page.watch.problems() == {}
    assert page.outside == [], "the page asks for files from other hosts (it must work offline)"
    assert broken == [], "images that did not load"
    assert page.locator("h1").first.inner_text().startswith(stem[:2]), "the title should start with the number"

    for name in mine:
        explorer = page.locator(f".te-explorer-{name}")
        assert explorer.count() >= 1 and explorer.first.is_visible(), f"explorer {name} not shown"
        explorer.first.screenshot(path=artifact("pages", f"{stem}--{name}.png"))
        message = explorer.first.locator(".te-message").inner_text()
        assert "⚠" not in message and "went wrong" not in message, f"{name} default state shows: {message}"
    assert all(n == 1 for n in page.evaluate(VIEWS_PER_OUTPUT)), "a widget is drawn twice (or not at all)"
    twins = page.evaluate(STATIC_TWINS)
    assert all(t == "figure, table or HTML" for t in twins), f"explorers without a static twin before them: {twins}"


@pytest.fixture(params=["light", "dark"])
def themed_page(chromium, request):  # noqa: F811
    """A page in the light or dark mode of the pages' theme, chosen as a reader does (stored setting)."""
    mode = request.param
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", color_scheme=mode)
    context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    outside: list[str] = []
    block_non_local(context, outside)
    p = context.new_page()
    p.mode = mode
    yield p
    context.close()


@pytest.mark.parametrize("stem", STEMS)
def test_collection_html_is_readable_in_light_and_dark_mode(site, themed_page, stem):
    page = themed_page
    page.goto(f"{site}/{stem}.html", wait_until="load")
    for name in [n for n, cls in EXPLORERS.items() if cls.notebook == stem]:
        page.wait_for_selector(f".te-explorer-{name}", timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == page.mode
    page.screenshot(path=artifact("pages", page.mode, f"{stem}.png"), full_page=True)
    failures = low_contrast(page)
    assert failures == [], (f"{stem} in {page.mode} mode: the collection's HTML is hard to read (WCAG AA):\n  "
                            + summarise_contrast(failures))


@pytest.mark.parametrize("stem", STEMS)
def test_every_image_has_a_text_alternative(site, page, stem):
    page.goto(f"{site}/{stem}.html", wait_until="load")
    for name in [n for n, cls in EXPLORERS.items() if cls.notebook == stem]:
        page.wait_for_selector(f".te-explorer-{name}", timeout=20_000)
    page.wait_for_load_state("networkidle")
    missing = page.evaluate(IMAGES_WITHOUT_ALT)
    assert missing == [], (f"{stem}: images without alt text (figures: plots.describe or titles and axis labels; "
                           f"explorer images: the image widget's tooltip): {missing[:5]}")


@pytest.mark.parametrize("stem", STEMS)
def test_solutions_are_hidden_until_opened(site, page, stem):
    page.goto(f"{site}/{stem}.html", wait_until="domcontentloaded")
    details = page.locator("article details")
    assert details.count() >= 1, "no exercise solutions on the page"
    for i in range(details.count()):
        box = details.nth(i)
        assert box.get_attribute("open") is None, "a solution is open before the reader asks"
        hidden = box.locator(":scope > :not(summary)").first
        assert not hidden.is_visible(), "a solution's text is visible while collapsed"
        box.locator("summary").click()
        assert box.get_attribute("open") is not None and hidden.is_visible()


def test_previous_next_navigation_visits_every_page_in_order(site, page):
    page.goto(f"{site}/index.html", wait_until="domcontentloaded")  # redirects to the first notebook
    page.wait_for_url(f"**/{STEMS[0]}.html")
    seen = [STEMS[0]]
    while page.locator("a.right-next").count():
        page.locator("a.right-next").first.click()
        page.wait_for_load_state("domcontentloaded")
        seen.append(page.url.rsplit("/", 1)[-1].removesuffix(".html"))
        assert len(seen) <= len(STEMS) + 1
    assert seen == STEMS
    page.locator("a.left-prev").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"{STEMS[-2] if len(STEMS) > 1 else STEMS[0]}.html")


def test_search_finds_pages(site, page):
    page.goto(f"{site}/search.html?q=tiktoken", wait_until="load")
    results = page.locator("#search-results li a, ul.search li a")
    results.first.wait_for(timeout=20_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(STEMS[0] in h for h in hrefs), hrefs
    page.screenshot(path=artifact("pages", "search.png"))
    assert page.watch.problems() == {} and page.outside == []


def test_maths_money_and_widgets_on_one_page(book_html, page, tmp_path):  # noqa: F811 - book_html: assets cached
    # The widget renderer calls MathJax 2's API; the pages load MathJax 3 (book/build.py bridges the two).
    # Money written with JupyterLab's escape shows as plain dollars, in a markdown cell and in an output.
    import nbformat
    small_book(tmp_path / "nb", [nbformat.v4.new_code_cell("print(6 * 7)")])
    done = build_small_book(tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    with serve(tmp_path / "out" / "_build" / "html") as url:
        page.goto(f"{url}/00_small.html", wait_until="load")
        page.wait_for_selector(".widget-slider", timeout=20_000)
        page.wait_for_selector("mjx-container", timeout=20_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=artifact("pages", "small-book-maths-and-widget.png"), full_page=True)
        assert page.watch.problems() == {} and page.outside == []
        text = " ".join(page.locator("article p").all_inner_texts())  # prose and outputs, not code
        assert text.count(MONEY_SHOWN) == 2 and "\\$" not in text, "money should show as $5, in a cell and an output"
        assert page.locator("article mjx-container").count() == 1, "exactly one formula: E = mc^2"
