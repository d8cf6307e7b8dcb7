"""Where an index keeps its state: the interface every backend answers (`store`), the
in-memory store (`memory_store`) and its snapshot file (`snapshot`), the metadata
columns (`doc_table`) and growing arrays (`arrays`) they are made of, the SQLite index
file (`sqlite_store`; its format in `sqlite_format`, its creation, header and upgrades
in `sqlite_header`, reading its rows back in `sqlite_load`, file-level tools in
`sqlite_files`), the shared Redis index (`redis_store`, `redis_records`, `redis_lua`,
`redis_link`, `redis_admin`), the header every stored index carries (`header`), and
the choice among them, made once from the location (`backends`).
"""
