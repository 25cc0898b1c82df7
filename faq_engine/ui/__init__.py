"""The Gradio demo: ``demo`` lays it out, ``handlers`` answer its events, ``render`` draws the results,
``projection`` makes the map."""

from .demo import MAX_UPLOAD_SIZE, build_demo
from .json_api import routes as api_routes
from .style import CSS, PAGE_JS

__all__ = ["CSS", "PAGE_JS", "MAX_UPLOAD_SIZE", "api_routes", "build_demo"]
