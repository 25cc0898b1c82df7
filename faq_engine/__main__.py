"""``python -m faq_engine``: the same as the ``faq-engine`` command."""

import sys

from .cli.main import main

sys.exit(main())
