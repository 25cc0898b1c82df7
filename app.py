"""faq-engine demo: ask in your own words, see the closest FAQs and their scores.

    python app.py            # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT change it)
    python app.py --share    # also prints a public gradio.live link

Settings come from the environment (HF_TOKEN as a Space secret, FAQ_ENGINE_*).
Importing this file starts nothing; a Hugging Face Space runs it as a script.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Load the model and the FAQs once, then serve the demo until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", action="store_true", help="also create a public gradio.live link")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio's own start-up requests
    # Gradio's queue recomputes a summary of its last 10,000 events (a pandas group-by) after every event, for
    # its monitoring page: 14.1 ms of server CPU per search with it, 11.9 ms with it every thousandth event over
    # the last thousand (benchmarks/server_cpu.py). The owner's own settings win.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    # Up to 4 page searches run at once on 2 cores: with OpenBLAS's 2 threads each they fight over the cores,
    # and at 100,000 FAQs 4 at once served half of what they did with one BLAS thread each
    # (benchmarks/threads.py). Read when numpy loads, so set before anything imports it.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from faq_engine.cli.errors import describe
    from faq_engine.errors import FaqEngineError
    from faq_engine.jobs import open_engine, open_log
    from faq_engine.settings import Settings
    from faq_engine.ui import CSS, MAX_UPLOAD_SIZE, PAGE_JS, api_routes, build_demo

    try:
        settings = Settings.from_env(os.environ)
        # With FAQ_ENGINE_QDRANT_URL the FAQs stay in Qdrant; otherwise the dataset is loaded into memory.
        engine, question_log = open_engine(settings), open_log(settings)
        demo = build_demo(engine, settings, log=question_log)
    except FaqEngineError as err:  # the owner starting the app reads this: the command line's wording
        print(f"app.py: error: {describe(err)}", file=sys.stderr)
        return 1
    # Host and port: gradio reads GRADIO_SERVER_NAME and GRADIO_SERVER_PORT itself. GET /api/search is served
    # beside the page, on the same port (faq_engine/ui/json_api.py).
    demo.launch(share=args.share, max_file_size=MAX_UPLOAD_SIZE, css=CSS, js=PAGE_JS,
                app_kwargs={"routes": api_routes(engine, settings, question_log)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
