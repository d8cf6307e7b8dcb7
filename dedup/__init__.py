"""dedup: near-duplicate and syndication detection for news.

Fingerprints articles with MinHash, finds near-duplicates through LSH, and
clusters the copies under their original source, saying why.
"""

from .config import Config
from .errors import (
                     BadRecord,
                     ConfigError,
                     ConfigMismatch,
                     DedupError,
                     IndexFormatError,
                     StoreError,
                     StoreUnavailable,
)
from .index import Cluster, Index
from .records import Article, Verdict
from .wires import WireRegistry

__version__ = "0.1.0"

__all__ = [
    "Article", "BadRecord", "Cluster", "Config", "ConfigError", "ConfigMismatch", "DedupError",
    "Index", "IndexFormatError", "StoreError", "StoreUnavailable", "Verdict", "WireRegistry",
    "__version__",
]
