"""What the tests share: loopback servers that speak the Hub's and the Inference API's protocols
(``hub_server``, ``model_hub``, ``api_server``), deterministic fakes of the model (``fakes``), the
app and the command line run as real subprocesses (``app_runner``, ``cli``), FAQ files people
write (``files``), and the tutorial's expected results (``tutorial``). Scripts and benchmarks
import them too: run those from the repository root with ``python -m``.
"""
