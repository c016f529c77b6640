-- slareport: the checks reduction (contract section 3) in Spark SQL (Spark 3.4+, Databricks).
--
-- Reads a view or table `checks` with the canonical check columns as strings:
--   `timestamp`, service, region, location, status
-- and returns the rows of slareport's `reduced` input, already sorted:
--   service, region, kind, start, end, locations_down, locations
-- (see README "The warehouse path"; sql/reduce.py writes them as the CSV byte for byte).
--
-- Parameters: three placeholders that Spark's variable substitution fills from the session
-- (spark.sql.variable.substitute, on by default; sql/reduce.py runs these SETs too):
--   SET max_gap_seconds = 300;     -- ${max_gap_seconds}: [monitoring] max_gap_seconds
--   SET confirm_checks = 1;        -- ${confirm_checks}:  [monitoring] confirm_checks
--   SET quorum = majority;         -- ${quorum}:          [monitoring] quorum: majority | any | all
--
-- Example (spark-sql or a Databricks notebook):
--   CREATE TEMP VIEW checks USING csv OPTIONS (path 'checks/*.csv', header 'true', escape '"');
--   SET max_gap_seconds = 60; SET confirm_checks = 1; SET quorum = majority;
--   CREATE TABLE reduced AS <this query>;   -- then export it as CSV (sql/reduce.py writes it exactly)
--
-- Instants are plain epoch seconds throughout (no session time zone is used; the output is
-- formatted from days and seconds), so the result does not depend on
-- spark.sql.session.timeZone.
--
-- What it reads:
-- * timestamps `YYYY-MM-DDTHH:MM:SS` (or a space or `t` before the time), optional fractional
--   seconds (truncated), then `Z`/`z`, an offset `+HH:MM`, `+HHMM` or `+HH`, or nothing: a
--   naive time is read as UTC (slareport reads it in `[inputs] timezone`; sql/reduce.py
--   refuses naive times when that zone is not UTC);
-- * status `up`, `ok`, `1`, `true` / `down`, `fail`, `error`, `0`, `false` / `unknown`, any
--   case, surrounding spaces ignored; service, region and location trimmed of spaces;
-- * a row with every cell empty is skipped; anything else the canonical reader refuses
--   (a malformed timestamp, a time outside 1990-2099, an unknown status, an empty service,
--   region or location) stops the query with raise_error() naming the value.
-- Probe checks only: state-change logs (`series = "events"`) are not reduced here.
--
-- Cost: one sort per series and one per (service, region) for the window functions; the
-- only join is the range join of a pair's quorum-down intervals with its locations' own
-- down intervals (both already reduced, so few).
WITH
params AS (
    SELECT
        CAST(${max_gap_seconds} AS BIGINT) AS max_gap,
        greatest(CAST(${confirm_checks} AS BIGINT), 1) AS confirm,
        lower(trim('${quorum}')) AS quorum
),
cells AS (
    SELECT
        trim(coalesce(CAST(service AS STRING), '')) AS service,
        trim(coalesce(CAST(region AS STRING), '')) AS region,
        trim(coalesce(CAST(location AS STRING), '')) AS location,
        trim(coalesce(CAST(`timestamp` AS STRING), '')) AS ts,
        lower(trim(coalesce(CAST(status AS STRING), ''))) AS st
    FROM checks
),
fields AS (
    SELECT
        service, region, location, ts, st,
        ts RLIKE '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?$' AS well_formed,
        -- what follows the seconds, fraction removed: '', 'Z', '+01:00', '+0100', '+01'
        regexp_replace(substr(ts, 20), '^[.][0-9]+', '') AS zone
    FROM cells
    WHERE NOT (service = '' AND region = '' AND location = '' AND ts = '' AND st = '')
),
instants AS (
    SELECT
        service, region, location, ts, st, well_formed,
        CAST(unix_date(try_cast(substr(ts, 1, 10) AS DATE)) AS BIGINT) * 86400
            + try_cast(substr(ts, 12, 2) AS BIGINT) * 3600
            + try_cast(substr(ts, 15, 2) AS BIGINT) * 60
            + try_cast(substr(ts, 18, 2) AS BIGINT)
            - CASE WHEN zone IN ('', 'Z', 'z') THEN 0
                   ELSE (CASE WHEN substr(zone, 1, 1) = '-' THEN -1 ELSE 1 END)
                        * (try_cast(substr(zone, 2, 2) AS BIGINT) * 3600
                           + CASE WHEN length(zone) > 3 THEN try_cast(right(zone, 2) AS BIGINT) ELSE 0 END * 60)
              END AS t,
        well_formed
            AND try_cast(substr(ts, 12, 2) AS BIGINT) <= 23
            AND try_cast(substr(ts, 15, 2) AS BIGINT) <= 59
            AND try_cast(substr(ts, 18, 2) AS BIGINT) <= 59
            AND (zone IN ('', 'Z', 'z')
                 OR (try_cast(substr(zone, 2, 2) AS BIGINT) <= 23 AND (length(zone) = 3 OR try_cast(right(zone, 2) AS BIGINT) <= 59))) AS fields_ok,
        CASE WHEN st IN ('up', 'ok', '1', 'true') THEN 1
             WHEN st IN ('down', 'fail', 'error', '0', 'false') THEN 2
             WHEN st = 'unknown' THEN 0 END AS s
    FROM fields
),
rows AS (
    -- s: 0 unknown, 1 up, 2 down (the precedence at one instant)
    SELECT
        service, region, location,
        CASE WHEN service = '' OR region = '' OR location = ''
                 THEN raise_error('checks: empty service, region or location in the row at ' || ts || ' of ' || service || '/' || region || '/' || location)
             WHEN NOT coalesce(fields_ok AND t IS NOT NULL, false)
                 THEN raise_error('checks: column timestamp: expected an instant like 2026-10-03T14:05:00Z, found "' || ts || '"')
             WHEN t < 631152000 OR t >= 4102444800
                 THEN raise_error('checks: column timestamp: ' || ts || ' is outside 1990-01-01 to 2099-12-31')
             WHEN s IS NULL
                 THEN raise_error('checks: column status: unknown status "' || st || '", expected up, ok, 1, true, down, fail, error, 0, false or unknown')
             ELSE t END AS t,
        s
    FROM instants
),
-- 1. One row per series and instant: down over up over unknown.
merged AS (
    SELECT service, region, location, t, max(s) AS s
    FROM rows
    GROUP BY service, region, location, t
),
-- 2. Holds [t, min(next t, t + max_gap)); run = number of non-down rows so far, so the
--    down rows of one run share it.
holds AS (
    SELECT
        service, region, location, t, s,
        least(coalesce(lead(t) OVER (PARTITION BY service, region, location ORDER BY t), t + p.max_gap), t + p.max_gap) AS e,
        sum(CASE WHEN s = 2 THEN 0 ELSE 1 END)
            OVER (PARTITION BY service, region, location ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
    FROM merged CROSS JOIN params AS p
),
-- 4. Down rows in runs of at least confirm_checks.
down_rows AS (
    SELECT service, region, location, t, e, count(*) OVER (PARTITION BY service, region, location, run) AS run_len
    FROM holds
    WHERE s = 2
),
-- 3. and 4. as maximal intervals per series (gaps and islands: a hold starting where the
--    previous one ends continues its interval).
series_holds AS (
    SELECT 'data' AS kind, service, region, location, t, e FROM holds WHERE s > 0
    UNION ALL
    SELECT 'down', service, region, location, t, e FROM down_rows CROSS JOIN params AS p WHERE run_len >= p.confirm
),
series_breaks AS (
    SELECT *,
        CASE WHEN lag(e) OVER (PARTITION BY kind, service, region, location ORDER BY t) >= t THEN 0 ELSE 1 END AS brk
    FROM series_holds
),
series_islands AS (
    SELECT *,
        sum(brk) OVER (PARTITION BY kind, service, region, location ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
    FROM series_breaks
),
series_iv AS (
    SELECT kind, service, region, location, min(t) AS a, max(e) AS b
    FROM series_islands
    GROUP BY kind, service, region, location, island
),
-- 5. The quorum sweep: +1/-1 per interval edge, running sums per pair.
edges AS (
    SELECT service, region, a AS x,
        CASE WHEN kind = 'data' THEN 1 ELSE 0 END AS d_data, CASE WHEN kind = 'down' THEN 1 ELSE 0 END AS d_down
    FROM series_iv
    UNION ALL
    SELECT service, region, b,
        CASE WHEN kind = 'data' THEN -1 ELSE 0 END, CASE WHEN kind = 'down' THEN -1 ELSE 0 END
    FROM series_iv
),
points AS (
    SELECT service, region, x, sum(d_data) AS d_data, sum(d_down) AS d_down
    FROM edges
    GROUP BY service, region, x
),
segments AS (
    SELECT
        service, region, x AS a, lead(x) OVER (PARTITION BY service, region ORDER BY x) AS b,
        sum(d_data) OVER w AS with_data,
        sum(d_down) OVER w AS down
    FROM points
    WINDOW w AS (PARTITION BY service, region ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
judged AS (
    SELECT service, region, a, b, with_data > 0 AS has_data,
        CASE p.quorum
            WHEN 'any' THEN down >= 1
            WHEN 'all' THEN with_data > 0 AND down = with_data
            ELSE down * 2 > with_data
        END AS is_down
    FROM segments CROSS JOIN params AS p
    WHERE b IS NOT NULL
),
-- Consecutive segments that hold are adjacent: an island is a run between two that do not.
judged_islands AS (
    SELECT *,
        sum(CASE WHEN has_data THEN 0 ELSE 1 END) OVER w AS data_island,
        sum(CASE WHEN is_down THEN 0 ELSE 1 END) OVER w AS down_island
    FROM judged
    WINDOW w AS (PARTITION BY service, region ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
pair_data AS (
    SELECT service, region, min(a) AS a, max(b) AS b
    FROM judged_islands WHERE has_data
    GROUP BY service, region, data_island
),
pair_down AS (
    SELECT service, region, min(a) AS a, max(b) AS b
    FROM judged_islands WHERE is_down
    GROUP BY service, region, down_island
),
-- The locations whose own down time meets each down interval of the pair.
who AS (
    SELECT DISTINCT d.service, d.region, d.a, d.b, s.location
    FROM pair_down AS d
    JOIN series_iv AS s
      ON s.kind = 'down' AND s.service = d.service AND s.region = d.region AND s.a < d.b AND d.a < s.b
),
pair_down_who AS (
    SELECT service, region, a, b, array_join(array_sort(collect_list(location)), ', ') AS locations_down
    FROM who
    GROUP BY service, region, a, b
),
-- 6. The locations of a pair: every location with a row.
pairs AS (
    SELECT service, region, count(DISTINCT location) AS locations, min(t) AS first_t
    FROM merged
    GROUP BY service, region
),
reduced AS (
    SELECT p.service, p.region, 'data' AS kind, d.a, d.b, '' AS locations_down, p.locations
    FROM pairs AS p JOIN pair_data AS d ON d.service = p.service AND d.region = p.region
    UNION ALL
    SELECT p.service, p.region, 'down', w.a, w.b, w.locations_down, p.locations
    FROM pairs AS p JOIN pair_down_who AS w ON w.service = p.service AND w.region = p.region
    UNION ALL
    -- A pair with no data at all: one empty data interval at its first row.
    SELECT p.service, p.region, 'data', p.first_t, p.first_t, '', p.locations
    FROM pairs AS p
    LEFT ANTI JOIN pair_data AS d ON d.service = p.service AND d.region = p.region
)
SELECT
    service,
    region,
    kind,
    concat(CAST(date_from_unix_date(CAST(a DIV 86400 AS INT)) AS STRING), 'T',
           lpad(CAST((a % 86400) DIV 3600 AS STRING), 2, '0'), ':',
           lpad(CAST((a % 3600) DIV 60 AS STRING), 2, '0'), ':',
           lpad(CAST(a % 60 AS STRING), 2, '0'), 'Z') AS `start`,
    concat(CAST(date_from_unix_date(CAST(b DIV 86400 AS INT)) AS STRING), 'T',
           lpad(CAST((b % 86400) DIV 3600 AS STRING), 2, '0'), ':',
           lpad(CAST((b % 3600) DIV 60 AS STRING), 2, '0'), ':',
           lpad(CAST(b % 60 AS STRING), 2, '0'), 'Z') AS `end`,
    locations_down,
    locations
FROM reduced
ORDER BY service, region, kind, a
