"""Writes probe_success.json: a Prometheus query_range result as the HTTP API returns it
(GET /api/v1/query_range?query=probe_success&start=2026-10-01T00:00:00Z&end=2026-10-01T05:59:00Z&step=60s).
Python 3.11+, standard library only."""
import json

OCT_1 = 1790812800  # 2026-10-01T00:00:00Z
STEP = 60


def series(instance, location, down, missing=()):
    values = []
    for k in range(360):
        if k in missing:
            continue  # Prometheus leaves out steps without a sample
        values.append([OCT_1 + k * STEP, "0" if k in down else "1"])
    labels = {"__name__": "probe_success", "instance": instance, "job": "blackbox", "region": "eu-west", "probe": location}
    return {"metric": labels, "values": values}


result = [
    # api seen from two probe locations: London sees 10 minutes down, Frankfurt 12 (quorum: majority of 2).
    series("api", "london", down=set(range(90, 100))),
    series("api", "frankfurt", down=set(range(88, 100))),
    # web: 5 minutes down, and 15 minutes without samples (a gap).
    series("web", "london", down=set(range(200, 205)), missing=set(range(300, 315))),
]
doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
with open("probe_success.json", "w") as f:
    json.dump(doc, f, separators=(",", ":"))
    f.write("\n")
