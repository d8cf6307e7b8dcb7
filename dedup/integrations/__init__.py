"""Embedding dedup in other tools: ``dedup.integrations.scrapy.DedupPipeline``.

Each integration imports its host framework, so import the submodule only
where that framework is installed (``pip install 'dedup[scrapy]'``).
"""
