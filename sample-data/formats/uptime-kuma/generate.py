"""Writes kuma.db: a small Uptime Kuma database for October 2026, made from the real 1.23
schema (tests/real-data/uptime-kuma/kuma-1.23-schema.db) with the 2.x aggregate tables
added. Python 3.11+, standard library only. Run from this folder."""
import os
import shutil
import sqlite3
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "..", "tests", "real-data", "uptime-kuma", "kuma-1.23-schema.db")
OCT_1 = 1790812800  # 2026-10-01T00:00:00Z
DAY = 86400
STEP = 300

import sys

# The database goes next to this script, or into the folder given as the first argument.
out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else HERE, "kuma.db")
if os.path.exists(out):
    os.remove(out)
shutil.copyfile(SCHEMA, out)
db = sqlite3.connect(out)
stat = "(id INTEGER PRIMARY KEY AUTOINCREMENT, monitor_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, ping FLOAT NOT NULL, up SMALLINT NOT NULL, down SMALLINT NOT NULL, ping_min FLOAT NOT NULL DEFAULT 0, ping_max FLOAT NOT NULL DEFAULT 0, extras TEXT NULL, UNIQUE (monitor_id, timestamp))"
for t in ["stat_minutely", "stat_hourly", "stat_daily"]:
    db.execute(f"CREATE TABLE {t} {stat}")


def kuma_time(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")


db.executemany("INSERT INTO monitor (id, name, interval, type, url) VALUES (?, ?, 300, 'http', ?)",
               [(1, "api", "https://api.example.com/health"), (2, "web", "https://www.example.com/")])
db.execute("INSERT INTO tag (id, name, color) VALUES (1, 'region', '#059669')")
db.executemany("INSERT INTO monitor_tag (monitor_id, tag_id, value) VALUES (?, 1, ?)", [(1, "eu-west"), (2, "eu-west")])
# A single maintenance window, Paris time: 2026-10-10 04:00-06:00 CEST = 02:00-04:00 UTC.
db.execute("INSERT INTO maintenance (id, title, description, strategy, start_date, end_date, timezone) "
           "VALUES (1, 'Database upgrade', '', 'single', '2026-10-10 04:00:00', '2026-10-10 06:00:00', 'Europe/Paris')")
db.execute("INSERT INTO monitor_maintenance (monitor_id, maintenance_id) VALUES (1, 1)")

rows = []
for k in range(31 * DAY // STEP):
    t = OCT_1 + k * STEP
    day, sec = divmod(t - OCT_1, DAY)
    api = 3 if day == 9 and 7200 <= sec < 14400 else 0 if day == 19 and 43200 <= sec < 45000 else 1
    rows.append((1, api, kuma_time(t)))
    if day >= 15:  # web's heartbeats before Oct 16 were pruned: only stat_daily remains
        web = 2 if sec in (21600, 21900) else 1
        rows.append((2, web, kuma_time(t)))
db.executemany("INSERT INTO heartbeat (monitor_id, status, time, msg, ping, duration) VALUES (?, ?, ?, '', 40, 300)", rows)
# web before Oct 16: daily buckets, one with 12 down beats (an hour of downtime).
db.executemany("INSERT INTO stat_daily (monitor_id, timestamp, ping, up, down) VALUES (2, ?, 40, ?, ?)",
               [(OCT_1 + d * DAY, 276 if d == 6 else 288, 12 if d == 6 else 0) for d in range(15)])
db.commit()
db.execute("VACUUM")
db.close()
