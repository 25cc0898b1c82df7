"""FAQ data: where FAQ sets come from and how they are stored.

``source`` parses a source string once; ``tables`` reads raw CSV/JSON/JSONL/Parquet
rows; ``dataset_format`` writes and reads the hosted format (Parquet + card);
``hub`` talks to the Hugging Face Hub; ``faqset`` pairs entries with vectors;
``loader`` turns any source into a :class:`FaqSet`.
"""

from .entry import FaqEntry
from .faqset import FaqSet

__all__ = ["FaqEntry", "FaqSet"]
