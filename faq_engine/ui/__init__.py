"""The Gradio demo: ``demo`` lays it out, ``handlers`` answer its events, ``render`` draws the results,
``projection`` makes the map."""

from .demo import MAX_UPLOAD_SIZE, build_demo
from .results import CSS

__all__ = ["CSS", "MAX_UPLOAD_SIZE", "build_demo"]
