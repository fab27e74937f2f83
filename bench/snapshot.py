"""Every answer and every passage, dumped, so a change that must not change behaviour can be shown not to.

    .venv/bin/python bench/snapshot.py --out /tmp/before.jsonl [--index DIR] [--corpus DIR]
    .venv/bin/python bench/snapshot.py --out /tmp/after.jsonl
    .venv/bin/python bench/snapshot.py --compare /tmp/before.jsonl /tmp/after.jsonl

Through the HTTP API in-process (``api.main.create_app``, the endpoints and fields outside clients rely
on, so the dump does not depend on the library's inner shape): every passage (``GET /passages/{id}``
with its context), every gold question (``eval/gold/*.jsonl``) searched in the three modes (ids, scores,
ranks, highlights, corrections) and asked (``POST /ask``: answer, citations), every draft and precedent
question sent to ``POST /precedents``, the versions of every passage that has some, the citator for a dozen
instruments, every document's outline. Timings are left out. ``--compare`` prints the
first differences and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from api.state import serving_settings  # noqa: E402
from rag.config import make_settings  # noqa: E402

_TIMING = {"took_ms", "loaded_at", "request_id"}
_TARGETS = (
    "Resolution 70/1", "UNGA 70/1", "WTDC Resolution 15", "PP Res. 64", "Recommendation ITU-D 19", "SDG 9",
    "Action Line C5", "Q1/1", "AFR1", "Resolution 140 (Rev. Dubai, 2018)", "resolution 79/194",
    "Article 40 of the Constitution",
)  # fmt: skip


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _TIMING}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def questions() -> list[dict[str, Any]]:
    out = []
    for path in sorted((REPO_ROOT / "eval" / "gold").glob("*.jsonl")):
        out.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return out


def records(client: TestClient) -> Iterator[tuple[str, Any]]:
    documents = client.get("/documents").json()["documents"]
    yield "documents", documents
    for doc in documents:
        yield f"outline {doc['id']}", client.get(f"/documents/{doc['id']}/outline").json()
    ids = []
    for doc in documents:
        for hit in _all_passages(client, doc["id"]):
            ids.append(hit)
    for pid in ids:
        yield f"passage {pid}", client.get(f"/passages/{pid}").json()
        versions = client.get(f"/passages/{pid}/versions")
        if versions.status_code == 200 and versions.json().get("versions"):
            yield f"versions {pid}", versions.json()
    for q in questions():
        text = q["question"]
        for mode in ("hybrid", "bm25", "dense"):
            yield (
                f"search {mode} {q['id']}",
                client.post("/search", json={"query": text, "k": 20, "mode": mode}).json(),
            )
        yield f"ask {q['id']}", client.post("/ask", json={"question": text}).json()
        if q.get("kind") == "precedent":
            yield f"precedents {q['id']}", client.post("/precedents", json={"text": text, "k": 10}).json()
    for target in _TARGETS:
        yield f"references {target}", client.get("/references", params={"target": target}).json()
    yield (
        "references addressee",
        client.get(
            "/references", params={"target": "Resolution 70/1", "addressee": "Secretary-General"}
        ).json(),
    )


def _all_passages(client: TestClient, doc: str) -> list[str]:
    outline = client.get(f"/documents/{doc}/outline").json()["outline"]
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("passage_id"):
            found.append(node["passage_id"])
        for child in node.get("children", ()):
            walk(child)

    walk(outline)
    return found


def dump(out: Path, index: str | None, corpus: str | None) -> None:
    overrides = {k: v for k, v in (("index_dir", index), ("corpus_dir", corpus)) if v}
    settings = serving_settings(make_settings(**overrides))
    with TestClient(create_app(settings)) as client, out.open("w", encoding="utf-8") as fh:
        n = 0
        for key, value in records(client):
            fh.write(
                json.dumps({"key": key, "value": _clean(value)}, ensure_ascii=False, sort_keys=True) + "\n"
            )
            n += 1
    print(f"wrote {n} records to {out}")


def compare(before: Path, after: Path) -> int:
    a = {json.loads(line)["key"]: line for line in before.read_text(encoding="utf-8").splitlines()}
    b = {json.loads(line)["key"]: line for line in after.read_text(encoding="utf-8").splitlines()}
    differ = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a]
    for key in differ[:10]:
        print(f"differs: {key}\n  before: {a.get(key, '-')[:300]}\n  after:  {b.get(key, '-')[:300]}")
    print(f"compared {len(a)} records with {len(b)}: {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--index")
    parser.add_argument("--corpus")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("--out FILE or --compare BEFORE AFTER")
    dump(args.out, args.index, args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
