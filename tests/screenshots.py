"""Screenshots of every tab for a person to look at (not a test): both widths (a 1366 px laptop, a 390 px phone
with touch), both languages, light and dark, on the repo's checkpoints (or GENIMG_CHECKPOINTS), after switching the
model from mnist to emoji. Headless Debian Chromium through tests/pagekit.py; prints the folder.

    python tests/screenshots.py OUT                # 2 widths x 2 languages x 2 modes x 2 models x every tab
    python tests/screenshots.py OUT --width 390 --lang zh-CN --tabs gan,vae
"""

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]  # pagekit, app.py
from pagekit import HEIGHTS, choose_model, chromium, open_page, open_tab, served_app  # noqa: E402

from genimg.app.page import TABS  # noqa: E402
from genimg.checkpoints import checkpoints_root  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, choices=list(HEIGHTS), action="append")
    parser.add_argument("--lang", choices=["en-US", "zh-CN"], action="append")
    parser.add_argument("--mode", choices=["light", "dark"], action="append")
    parser.add_argument("--tabs", default=",".join(TABS), help="comma-separated, of " + ",".join(TABS))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    errors = []
    with served_app(checkpoints_root()) as (_, url), chromium() as browser:
        for width in args.width or list(HEIGHTS):
            for locale in args.lang or ["en-US", "zh-CN"]:
                for mode in args.mode or ["light", "dark"]:
                    page, _ = open_page(browser, url, width=width, locale=locale, dark=mode == "dark")
                    for model in ("mnist", "emoji"):
                        if model != "mnist":
                            choose_model(page, model)
                        for tab in args.tabs.split(","):
                            open_tab(page, tab)
                            page.wait_for_timeout(1500)
                            name = f"{width}-{locale}-{mode}-{model}-{tab}.png"
                            page.screenshot(path=str(args.out / name), full_page=True)
                    errors += [f"{width} {locale} {mode}: {e}" for e in page.page_errors]
                    page.context.close()
    print(f"screenshots: {args.out}")
    print("\n".join(errors) or "no page errors")


if __name__ == "__main__":
    main()
