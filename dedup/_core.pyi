"""Type stub of the compiled core (src/lib.rs): the per-article text stages."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

UNICODE_VERSION: str
MAX_NUMBERS: int

class TextStages:
    def __init__(self, *, word_ngram: int, cjk_ngram: int, num_perm: int, scheme: str,
                 mix_bin: int, mix_value: int, probes: npt.NDArray[np.int64],
                 a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], passage_mean: int,
                 passage_min: int, passage_bands: int, passage_salts: npt.NDArray[np.uint32],
                 keep_shingles: bool) -> None: ...
    def run(self, bodies: Sequence[str], threads: int = 1) -> tuple[np.ndarray, ...]: ...
    def signatures(self, values: npt.NDArray[np.uint32],
                   offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]: ...

def normalize(text: str) -> str: ...
def number_keys(text: str) -> npt.NDArray[np.uint32]: ...
def shingle_batch(texts: Sequence[str], word_ngram: int, cjk_ngram: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
def passage_keys(sequence: npt.NDArray[np.uint32], sequence_docs: npt.NDArray[np.int64],
                 ndocs: int, salts: npt.NDArray[np.uint32], mean: int, min: int, bands: int
                 ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]: ...
def agreement(signatures: npt.NDArray[np.uint32], rows: npt.NDArray[np.int64],
              signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]: ...
