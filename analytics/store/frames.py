"""One parsed piece on disk: each table of ``analytics.schema`` as an Arrow IPC file, and the
piece's line accounting as JSON, in one folder.

Text columns are written dictionary-encoded (a session id, an utterance or a bot message
repeats across turns): the file is smaller, and reading makes each distinct text once and
shares it between the rows, as the C scanner's interned columns do. Arrow IPC is read
memory-mapped, without decompression: the store exists to be faster than parsing.
https://arrow.apache.org/docs/python/ipc.html
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import pyarrow as pa

from lexlens.analytics.ingest.text_codes import codes_of
from lexlens.analytics.schema import TABLES, LoadReport, LogData, Rejection, SERVER_RESPONSE_COLUMNS

ALL_TABLES = {**TABLES, "server_responses": SERVER_RESPONSE_COLUMNS}
REPORT_FILE = "report.json"
UNIQUE_TEXT = {"request_id"}  # about one per row: a dictionary would only cost time
FINISHED_KEY = "finished"  # report.json: the piece is a finished load (write_piece)
STRING_DTYPE_KEY = "lexlens.string_dtype"  # schema metadata: the text columns in pandas' str dtype


def column_array(values: pd.Series, dtype: str, known: Optional[tuple[np.ndarray, np.ndarray]] = None) -> pa.Array:
    """One column as Arrow: text and categories as dictionaries, numbers as they are.
    ``known``: (codes, texts) of a text column, from the scan (``ingest.text_codes``)."""
    if dtype == "str" and values.name in UNIQUE_TEXT:
        return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    if dtype == "str" and known is not None:
        return dictionary_of_codes(*known)
    if dtype in ("str", "category"):
        if not isinstance(values.dtype, pd.CategoricalDtype):
            # Arrow's own dictionary encoding: faster than pd.factorize of the objects (session
            # ids 0.03 against 0.05 s per 224k rows), the same dictionary (first appearance) and nulls
            return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True).dictionary_encode()
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        dictionary = pa.array(np.asarray(uniques, dtype=object), type=pa.string())
        indices = pa.array(codes.astype("int32"), mask=codes < 0)
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    if dtype.startswith("datetime64"):
        return pa.array(values.array.asi8, type=pa.int64())  # ns since the epoch, UTC
    return pa.array(values.to_numpy(), from_pandas=True)


def dictionary_of_codes(codes: np.ndarray, texts: np.ndarray) -> pa.DictionaryArray:
    """The dictionary array of ``texts[codes]``, holding only the texts used (integer work: no
    string is hashed). A text the scan interned twice (two of its units) is in it twice, which
    reads back the same."""
    used = np.zeros(len(texts), dtype=bool)
    used[codes] = True
    position = np.cumsum(used, dtype=np.int64) - 1
    dictionary = pa.array(texts[used], type=pa.string(), from_pandas=True)
    return pa.DictionaryArray.from_arrays(pa.array(position[codes].astype(np.int32)), dictionary)


def column_values(array: pa.Array, dtype: str):
    """One column back as pandas, in the dtype the parser makes (its own memory, not the map's)."""
    if dtype == "str" and not isinstance(array, pa.DictionaryArray):
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype=object, copy=False)
    if dtype in ("str", "category"):
        codes = array.indices.fill_null(-1).to_numpy()
        uniques = np.asarray(array.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        if dtype == "category":  # the codes were checked when written: pandas need not check them again
            return pd.Categorical.from_codes(codes.astype(np.int32 if len(uniques) < 2**31 else np.int64),
                                             categories=pd.Index(uniques, dtype=object), validate=False)
        with_null = np.append(uniques, None)  # a null (code -1) reads back as None, not the last text
        return pd.Series(with_null[codes], dtype=object, copy=False)
    if dtype.startswith("datetime64"):
        return pd.DatetimeIndex(array.to_numpy().view("datetime64[ns]").copy(), tz="UTC")
    return array.to_numpy(zero_copy_only=False).astype(dtype, copy=True)


def write_table(path: Path, table: pd.DataFrame, columns: dict) -> None:
    """``table`` as one record batch; a text column the parser made with pandas' string dtype
    (rather than object) is marked so, and read back the same."""
    arrays = [column_array(table[name], dtype, codes_of(table, name) if dtype == "str" else None)
              for name, (dtype, _) in columns.items()]
    marked = [name for name, (dtype, _) in columns.items()
              if dtype == "str" and table[name].dtype != object]
    batch = pa.record_batch(arrays, names=list(columns),
                            metadata={STRING_DTYPE_KEY: json.dumps(marked)})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)


def read_table(path: Path, columns: dict) -> pd.DataFrame:
    with pa.memory_map(str(path), "r") as source:
        table = pa.ipc.open_file(source).read_all().combine_chunks()
        frame = pd.DataFrame({name: column_values(table.column(name).chunk(0) if table.num_rows else
                                                  empty_array(dtype), dtype)
                              for name, (dtype, _) in columns.items()}, copy=False)  # fresh columns: no copy
        for name in json.loads(table.schema.metadata[STRING_DTYPE_KEY.encode()]):
            frame[name] = frame[name].astype("str")
        return frame


def empty_array(dtype: str) -> pa.Array:
    if dtype == "str":
        return pa.array([], pa.string())
    if dtype in ("str", "category"):
        return pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    return pa.array(np.array([], dtype="int64" if dtype.startswith("datetime64") else dtype))


def write_piece(folder: Path, data: LogData, finished: bool = False) -> None:
    """``data`` (one parsed piece) into ``folder``, which must exist and be empty. ``finished``:
    ``data`` is a whole load already finished (``analytics.ingest.loading.finish_load``:
    duplicates dropped and counted, time order, session keys), so a load of this piece alone
    need not finish it again."""
    for name, columns in ALL_TABLES.items():
        write_table(folder / f"{name}.arrow", getattr(data, name), columns)
    report = asdict(data.report)
    report["rejections"] = [list(asdict(rejection).values()) for rejection in data.report.rejections]
    report[FINISHED_KEY] = finished
    (folder / REPORT_FILE).write_text(json.dumps(report), encoding="utf-8")


def read_piece(folder: Path) -> tuple[LogData, bool]:
    """The piece ``write_piece`` wrote into ``folder``, and whether it is a finished load."""
    tables = {name: read_table(folder / f"{name}.arrow", columns) for name, columns in ALL_TABLES.items()}
    report = json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))
    finished = bool(report.pop(FINISHED_KEY, False))
    report["rejections"] = [Rejection(*fields) for fields in report["rejections"]]
    return LogData(**tables, report=LoadReport(**report)), finished
