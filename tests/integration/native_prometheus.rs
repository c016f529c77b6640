//! A Prometheus `query_range` result read natively (`format = "prometheus"`) gives the same
//! report as the same samples written as canonical CSV.

use std::path::Path;

use crate::workdir::{Workdir, read_csv};

const CUSTOMERS: &str = "customer_id,name,tier,services,regions,monthly_fee,currency
C1,Acme,standard,api,eu-west,1000.00,EUR
C2,Web Ltd,standard,web,*,500.00,EUR
";

fn config(checks: &str) -> String {
    format!(
        r#"[report]
timezone = "UTC"

[inputs]
customers = "customers.csv"
checks = [{checks}]

[monitoring]
max_gap_seconds = 60

[tiers.standard]
target_percent = 99.95
credits = [{{ below_percent = 99.95, credit_percent = 10 }}]
"#
    )
}

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/formats/prometheus/probe_success.json"))
        .unwrap()
}

const ENTRY: &str = r#"{ path = "probe_success.json", format = "prometheus", options = { service_label = "instance", region_label = "region", location_label = "probe" } }"#;

fn run(w: &Workdir) {
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out", "--as-of", "2026-11-02T00:00:00Z"])
        .assert_ok();
}

#[test]
fn a_prometheus_range_query_gives_the_report_of_the_same_checks_as_csv() {
    let native = Workdir::new();
    native.write("customers.csv", CUSTOMERS);
    native.write("probe_success.json", fixture());
    native.write("sla.toml", config(ENTRY));
    run(&native);

    // The same samples, converted by hand from the API's JSON.
    let doc: serde_json::Value = serde_json::from_slice(&fixture()).unwrap();
    let mut csv = String::from("timestamp,service,region,location,status\n");
    for series in doc["data"]["result"].as_array().unwrap() {
        let m = &series["metric"];
        for v in series["values"].as_array().unwrap() {
            let t = chrono::DateTime::from_timestamp(v[0].as_i64().unwrap(), 0).unwrap();
            let status = if v[1] == "1" { "up" } else { "down" };
            csv.push_str(&format!(
                "{},{},{},{},{status}\n",
                t.format("%Y-%m-%dT%H:%M:%SZ"),
                m["instance"].as_str().unwrap(),
                m["region"].as_str().unwrap(),
                m["probe"].as_str().unwrap()
            ));
        }
    }
    let canonical = Workdir::new();
    canonical.write("customers.csv", CUSTOMERS);
    canonical.write("checks.csv", csv);
    canonical.write("sla.toml", config("\"checks.csv\""));
    run(&canonical);

    for f in ["sla_monthly.csv", "evidence.csv", "credits.csv", "tiers.csv"] {
        assert_eq!(native.read(&format!("out/2026-10/{f}")), canonical.read(&format!("out/2026-10/{f}")), "{f}");
    }
    let rows = read_csv(&native.read("out/2026-10/sla_monthly.csv"));
    // api: down where both probes see it (majority of 2 = both): 10 minutes.
    assert_eq!(rows[0]["downtime_seconds"], "600");
    // web: 5 minutes down; the 15 minutes without samples are a gap, not downtime.
    assert_eq!(rows[1]["downtime_seconds"], "300");
}

#[test]
fn prometheus_problems_name_the_json_path() {
    let w = Workdir::new();
    w.write("customers.csv", CUSTOMERS);
    w.write("sla.toml", config(ENTRY));
    let run = || w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);

    w.write("probe_success.json", r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#);
    run().assert_error(
        4,
        "probe_success.json: status: the query did not succeed: status \"error\", error \"parse error\"",
    );

    let nan = r#"{"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"instance":"api","region":"eu","probe":"lon"},"values":[[1790812800,"1"],[1790812860,"NaN"]]}]}}"#;
    w.write("probe_success.json", nan);
    run().assert_error(
        4,
        "probe_success.json: data.result[0].values[1]: series {instance=\"api\", probe=\"lon\", region=\"eu\"} at 2026-10-01T00:01:00Z: value \"NaN\" is neither 0 nor 1",
    );

    w.write(
        "probe_success.json",
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"api"},"values":[]}]}}"#,
    );
    run().assert_error(4, "data.result[0]: series {instance=\"api\"} has no label \"region\" (option region_label)");

    w.write("probe_success.json", r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a","region":"eu","probe":"x"},"values":[[1790812800,1]]}]}}"#);
    run().assert_error(4, "data.result[0].values[0]: expected [unix time, \"value\"], found an array");

    w.write("probe_success.json", r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#);
    run().assert_error(4, "data.resultType: expected \"matrix\"");

    w.write("sla.toml", config(r#"{ path = "probe_success.json", format = "prometheus", options = { step = "60" } }"#));
    run().assert_error(
        4,
        "options: unknown option \"step\", expected one of: location_label, other, region_label, service_label",
    );
}
