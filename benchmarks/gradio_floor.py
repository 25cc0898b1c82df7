"""A Gradio app whose one event does nothing: what Gradio itself costs per event (benchmarks/server_cpu.py).

    python -m benchmarks.gradio_floor      # serves /search(question, k) -> [] with app.py's Gradio settings

The event takes the page's inputs and returns an empty list: every millisecond of server CPU it
costs is Gradio's own (its queue, event stream, routes and middlewares), a floor under ``/search``.
"""

from __future__ import annotations

import os


def main() -> None:
    # As app.py sets them, so the floor is measured under the same Gradio settings.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
    import gradio as gr

    with gr.Blocks() as demo:
        question, k, hits = gr.Textbox(), gr.Number(value=5), gr.JSON()
        gr.Button().click(lambda q, n: [], [question, k], hits, api_name="search")
    demo.launch()


if __name__ == "__main__":
    main()
