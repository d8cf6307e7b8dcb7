"""Benchmark for dedup: a synthetic syndication corpus, exact ground truth and peer pipelines.

`bench.corpus` writes the corpus, `bench.truth` computes exact Jaccard/containment on sampled
pairs, `bench.peers` runs the pipelines a user would write with datasketch, rensa and gaoya, and
`bench.run` ties them together into `results.json`, `results.md` and a chart.
"""
