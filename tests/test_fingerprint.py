"""MinHash signatures: datasketch parity, unbiased estimates, determinism."""


import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.fingerprint import EMPTY, Fingerprinter, jaccard


def _sets(rng, size, jac):
    inter = int(round(2 * jac * size / (1 + jac)))
    pool = rng.choice(2**32 - 1, 2 * size - inter, replace=False).astype(np.uint32)
    a = np.sort(pool[:size])
    b = np.sort(np.concatenate([pool[:inter], pool[size:]]))
    exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    return a, b, exact


def _pair_sig(fp, a, b):
    return fp.signatures(np.concatenate([a, b]), np.array([0, len(a), len(a) + len(b)]))


def test_affine32_equals_datasketch_minhash():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2**32, 300, dtype=np.uint64).astype(np.uint32)
    fp = Fingerprinter(128, 42, "affine32")
    sig = fp.signatures(values, np.array([0, 300]))[0]
    reference = MinHash(num_perm=128, seed=42, hashfunc=lambda x: x, scheme="affine32")
    reference.update_batch([int(v) for v in values])
    assert np.array_equal(sig, reference.hashvalues)


@pytest.mark.parametrize("scheme", ["oph32", "affine32"])
def test_signatures_load_into_datasketch_lsh(scheme):
    rng = np.random.default_rng(5)
    a, b, _ = _sets(rng, 400, 0.9)
    sigs = _pair_sig(Fingerprinter(128, 1, scheme), a, b)
    lsh = MinHashLSH(threshold=0.8, num_perm=128, params=(21, 6))
    lsh.insert("a", LeanMinHash(seed=1, hashvalues=sigs[0], scheme="affine32"))
    found = lsh.query(LeanMinHash(seed=1, hashvalues=sigs[1], scheme="affine32"))
    assert found == ["a"]


@pytest.mark.parametrize("scheme", ["oph32", "affine32"])
@pytest.mark.parametrize("size,jac", [(30, 0.5), (500, 0.8), (500, 0.95), (2000, 0.3)])
def test_estimate_is_unbiased_against_exact_jaccard(scheme, size, jac):
    rng = np.random.default_rng(size + int(jac * 100))
    fp = Fingerprinter(128, 1, scheme)
    errors = []
    for _ in range(300):
        a, b, exact = _sets(rng, size, jac)
        sig = _pair_sig(fp, a, b)
        errors.append(float(jaccard(sig[0], sig[1])) - exact)
    errors = np.array(errors)
    # Standard error of the mean over 300 pairs is ≤ 0.003; 0.012 is 4 of them.
    assert abs(errors.mean()) < 0.012
    # Spread close to the binomial sqrt(J(1-J)/128) (OPH is a little tighter).
    assert errors.std() < 1.25 * np.sqrt(jac * (1 - jac) / 128) + 0.01


@pytest.mark.parametrize("scheme", ["oph32", "affine32"])
def test_tiny_and_empty_documents(scheme):
    fp = Fingerprinter(128, 1, scheme)
    # documents: {7}, {}, {7, 9}, {7} again
    sig = fp.signatures(np.array([7, 7, 9, 7], dtype=np.uint32), np.array([0, 1, 1, 3, 4]))
    assert (sig[1] == EMPTY).all()  # no shingles: datasketch's empty signature
    assert (sig[0] != EMPTY).all()  # densified: every bin filled from the one shingle
    assert jaccard(sig[0], sig[3]) == 1.0  # the same one-shingle set, hashed apart
    assert jaccard(sig[0], sig[1]) == 0.0  # nothing in common with an empty document
    assert 0.25 < jaccard(sig[0], sig[2]) < 0.75  # exact Jaccard 1/2


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 2), min_size=1, max_size=300, unique=True),
       st.sampled_from(["oph32", "affine32"]))
def test_signature_depends_only_on_the_set(values, scheme):
    fp = Fingerprinter(64, 9, scheme)
    a = np.array(values, dtype=np.uint32)
    b = a[::-1].copy()
    sig = fp.signatures(np.concatenate([a, b]), np.array([0, len(a), 2 * len(a)]))
    assert np.array_equal(sig[0], sig[1])


def test_seed_changes_signature():
    values = np.arange(100, dtype=np.uint32)
    one = Fingerprinter(128, 1).signatures(values, np.array([0, 100]))
    two = Fingerprinter(128, 2).signatures(values, np.array([0, 100]))
    assert not np.array_equal(one, two)


