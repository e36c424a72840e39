"""The store of parsed logs (docs/store.md): each file's parsed pieces kept on disk as Arrow
tables (``frames``), indexed by a crash-safe manifest (``catalog``), read back and completed by
parsing only what is new (``loader``); also VADER scores (``scores``) and kept report outputs
(``outputs``)."""
