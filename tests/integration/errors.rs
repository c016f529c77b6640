//! One small reproducer per error message: the exact one-line message with file, line
//! and column, the exit code, and no report directory left behind.

use crate::workdir::{CHECKS, CONFIG, CUSTOMERS, INCIDENTS, Workdir, valid};

/// Runs October on `w` and checks the error and that nothing was published.
fn fails(w: &Workdir, code: i32, needle: &str) -> String {
    let before = snapshot(w);
    let run = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    let msg = run.assert_error(code, needle);
    assert!(!w.exists("out/2026-10"), "no month directory may be left behind");
    if w.exists("out") {
        let left: Vec<_> = std::fs::read_dir(w.path().join("out")).unwrap().collect();
        assert!(left.is_empty(), "no temporary directory may be left behind: {left:?}");
    }
    assert_eq!(before, snapshot(w), "inputs must not be modified");
    msg
}

fn snapshot(w: &Workdir) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(w.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

fn with(file: &str, contents: &str) -> Workdir {
    let w = valid();
    w.write(file, contents);
    w
}

#[test]
fn config_unknown_key() {
    let w = with("sla.toml", &CONFIG.replace("max_gap_seconds = 120", "max_gap_seconds = 120\nmax_gap = 5"));
    let msg = fails(&w, 3, "unknown field `max_gap`");
    assert!(msg.contains("sla.toml:12:1:"), "{msg}");
}

#[test]
fn config_syntax_error() {
    fails(&with("sla.toml", "[report\n"), 3, "sla.toml:1:");
}

#[test]
fn config_missing_file() {
    let w = valid();
    let run = w.run(&["run", "--config", "nope.toml", "--month", "2026-10", "--out", "out"]);
    run.assert_error(3, "nope.toml: cannot read");
}

#[test]
fn config_unknown_time_zone() {
    fails(
        &with("sla.toml", &CONFIG.replace("timezone = \"UTC\"", "timezone = \"Europe/Londn\"")),
        3,
        "[report] timezone: unknown time zone \"Europe/Londn\"",
    );
}

#[test]
fn input_file_not_found() {
    fails(
        &with("sla.toml", &CONFIG.replace("\"incidents.csv\"", "\"incidnets.csv\"")),
        4,
        "sla.toml: [inputs] incidents: \"incidnets.csv\" not found; the config's folder holds 3 .csv files, 1 other file",
    );
}

#[test]
fn unknown_file_type() {
    let w = with("sla.toml", &CONFIG.replace("\"incidents.csv\"", "\"incidents.xlsx\""));
    w.write("incidents.xlsx", "x");
    fails(&w, 4, "incidents.xlsx: unknown file type, expected .csv, .csv.gz or .parquet");
}

#[test]
fn missing_column() {
    let msg = fails(&with("customers.csv", "customer_id,name\nC1,Acme\n"), 4, "customers.csv:1: missing column 'tier'");
    assert!(msg.contains("(the header has: customer_id, name)"), "{msg}");
}

#[test]
fn bad_timestamp() {
    let checks = CHECKS.replace("2026-10-01T00:01:00Z", "yesterday");
    fails(
        &with("checks.csv", &checks),
        4,
        "checks.csv:3:1: column 'timestamp': expected an instant like 2026-10-03T14:05:00Z",
    );
}

#[test]
fn nonexistent_local_time() {
    let w = with("sla.toml", &CONFIG.replace("[inputs]\n", "[inputs]\ntimezone = \"Europe/London\"\n"));
    w.write("incidents.csv", INCIDENTS.replace("2026-10-05T10:00:00Z", "2026-03-29 01:30:00"));
    fails(&w, 4, "incidents.csv:2:5: column 'start': \"2026-03-29 01:30:00\" does not exist in Europe/London");
}

#[test]
fn ambiguous_local_time() {
    let w = with("sla.toml", &CONFIG.replace("[inputs]\n", "[inputs]\ntimezone = \"Europe/London\"\n"));
    w.write("incidents.csv", INCIDENTS.replace("2026-10-05T10:30:00Z", "2026-10-25 01:30:00"));
    fails(&w, 4, "incidents.csv:2:6: column 'end': \"2026-10-25 01:30:00\" is ambiguous in Europe/London");
}

#[test]
fn end_before_start() {
    let inc = INCIDENTS.replace("2026-10-05T10:30:00Z", "2026-10-05T09:30:00Z");
    fails(&with("incidents.csv", &inc), 4, "incidents.csv:2:6: column 'end': end is before start");
}

#[test]
fn outage_end_before_start() {
    let w = with("sla.toml", &CONFIG.replace("outages = []", "outages = [\"outages.csv\"]"));
    w.write("outages.csv", "service,region,start,end\napi,eu,2026-10-02T00:00:00Z,2026-10-01T00:00:00Z\n");
    fails(&w, 4, "outages.csv:2:4: column 'end': end is before start");
}

#[test]
fn contract_end_before_start() {
    let w = with("customers.csv", "customer_id,tier,contract_start,contract_end\nC1,standard,2026-10-10,2026-10-01\n");
    fails(&w, 4, "customers.csv:2:4: column 'contract_end': contract_end is before contract_start");
}

#[test]
fn unknown_tier() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace(",standard,", ",gold,")),
        4,
        "customers.csv:2:3: column 'tier': unknown tier \"gold\", expected one of: standard",
    );
}

#[test]
fn unknown_category() {
    fails(
        &with("incidents.csv", &INCIDENTS.replace("unplanned", "outage")),
        4,
        "incidents.csv:2:3: column 'category': unknown category \"outage\", expected one of: unplanned, planned_maintenance",
    );
}

#[test]
fn unknown_impact() {
    fails(
        &with("incidents.csv", &INCIDENTS.replace("major", "huge")),
        4,
        "incidents.csv:2:4: column 'impact': unknown impact \"huge\", expected one of: major, partial, degraded, none",
    );
}

#[test]
fn unknown_status() {
    fails(
        &with("checks.csv", &CHECKS.replace(",down", ",sideways")),
        4,
        "checks.csv:3:5: column 'status': unknown status \"sideways\"",
    );
}

#[test]
fn duplicate_customer_id() {
    let c = format!("{CUSTOMERS}C2,Other,standard,*,*,5.00,EUR\nC1,Again,standard,*,*,5.00,EUR\n");
    fails(
        &with("customers.csv", &c),
        4,
        "customers.csv:4:1: column 'customer_id': duplicate customer_id \"C1\", first seen at customers.csv:2",
    );
}

#[test]
fn duplicate_incident_id() {
    let i = format!("{INCIDENTS}I1,Again,unplanned,major,2026-10-06T10:00:00Z,2026-10-06T10:30:00Z,*,*,*,\n");
    fails(
        &with("incidents.csv", &i),
        4,
        "incidents.csv:3:1: column 'incident_id': duplicate incident_id \"I1\", first seen at incidents.csv:2",
    );
}

#[test]
fn negative_fee() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("1000.00", "-5")),
        4,
        "customers.csv:2:6: column 'monthly_fee': negative fee \"-5\"",
    );
}

#[test]
fn bad_fee() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("1000.00", "\"1,000\"")),
        4,
        "customers.csv:2:6: column 'monthly_fee': expected a decimal amount like 1250.00, found \"1,000\"",
    );
}

#[test]
fn ragged_row() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("1000.00", "1,000")),
        4,
        "customers.csv:2: expected 7 fields as in the header line, found 8",
    );
}

#[test]
fn bad_currency() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("GBP", "pounds")),
        4,
        "customers.csv:2:7: column 'currency': expected an ISO 4217 currency code like GBP, found \"pounds\"",
    );
}

#[test]
fn unknown_customer_time_zone() {
    let c = "customer_id,tier,timezone\nC1,standard,Mars/Olympus\n";
    fails(&with("customers.csv", c), 4, "customers.csv:2:3: column 'timezone': unknown time zone \"Mars/Olympus\"");
}

#[test]
fn bad_target_override() {
    let c = "customer_id,tier,target_percent\nC1,standard,120\n";
    fails(
        &with("customers.csv", c),
        4,
        "customers.csv:2:3: column 'target_percent': expected a percentage from 0 to 100 with at most 6 decimal places, found \"120\"",
    );
}

#[test]
fn empty_scope_cell() {
    fails(
        &with("incidents.csv", &INCIDENTS.replace(",*,*,*,", ",*,,*,")),
        4,
        "incidents.csv:2:8: column 'regions': empty list: write * for all",
    );
}

#[test]
fn empty_required_value() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("C1,", ",")),
        4,
        "customers.csv:2:1: column 'customer_id': empty value, this column is required",
    );
}

#[test]
fn line_numbers_count_quoted_newlines() {
    // The title on line 2 spans two lines, so the bad row starts on line 4.
    let i = "incident_id,title,category,impact,start,end,services,regions,customers\nI1,\"two\nlines\",unplanned,major,2026-10-05T10:00:00Z,2026-10-05T10:30:00Z,*,*,*\nI2,x,unplanned,major,2026-10-05T10:00:00Z,nope,*,*,*\n";
    fails(&with("incidents.csv", i), 4, "incidents.csv:4:6: column 'end': expected an instant");
}

#[test]
fn bad_month_argument() {
    let w = valid();
    let run = w.run(&["run", "--config", "sla.toml", "--month", "2026-13", "--out", "out"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("expected a month like 2026-10"), "{}", run.stderr());
}

#[test]
fn reversed_range() {
    let w = valid();
    let run = w.run(&["run", "--config", "sla.toml", "--from", "2026-10", "--to", "2026-09", "--out", "out"]);
    run.assert_error(2, "--from 2026-10 is after --to 2026-09");
}

#[test]
fn crlf_files_report_the_right_line() {
    let checks = CHECKS.replace('\n', "\r\n").replace("2026-10-01T00:01:00Z", "nope");
    fails(&with("checks.csv", &checks), 4, "checks.csv:3:1: column 'timestamp'");
}

#[test]
fn blank_lines_are_skipped_and_do_not_shift_line_numbers() {
    let w = valid();
    w.write("checks.csv", CHECKS.replacen('\n', "\n\n", 2) + "\n");
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "ok"]).assert_ok();
    let bad = CHECKS.replacen('\n', "\n\n", 2).replace("2026-10-01T00:02:00Z", "later");
    fails(&with("checks.csv", &bad), 4, "checks.csv:6:1: column 'timestamp': expected an instant");
}

#[test]
fn short_rows_are_named() {
    let checks = CHECKS.replace("2026-10-01T00:01:00Z,api,eu,lon,down", "2026-10-01T00:01:00Z,api,eu,lon");
    fails(&with("checks.csv", &checks), 4, "checks.csv:3: expected 5 fields as in the header line, found 4");
    // A missing last field of an outage is not an open outage.
    let w = with("sla.toml", &CONFIG.replace("outages = []", "outages = [\"outages.csv\"]"));
    w.write("outages.csv", "service,region,start,end\napi,eu,2026-10-02T00:00:00Z\n");
    fails(&w, 4, "outages.csv:2: expected 4 fields as in the header line, found 3");
}

#[test]
fn non_utf8_text_is_named() {
    let mut bytes = CUSTOMERS.as_bytes().to_vec();
    bytes.extend_from_slice(b"C2,Caf\xe9,standard,*,*,1.00,EUR\n");
    let w = valid();
    w.write("customers.csv", bytes);
    fails(&w, 4, "customers.csv:3:2: not UTF-8 text");
}

#[test]
fn huge_fees_are_refused() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("1000.00", "9999999999999999999999999999")),
        4,
        "column 'monthly_fee': expected an amount below 10^15",
    );
}

#[test]
fn decimals_are_exact_or_refused() {
    // 29 significant digits cannot be held exactly: refused, never rounded to 0.01.
    fails(
        &with("customers.csv", &CUSTOMERS.replace("1000.00", "0.00499999999999999999999999999")),
        4,
        "customers.csv:2:6: column 'monthly_fee': expected an amount below 10^15 with at most 6 decimal places, found \"0.00499999999999999999999999999\"",
    );
    let c = "customer_id,tier,target_percent\nC1,standard,99.999999999999999999999999999\n";
    fails(
        &with("customers.csv", c),
        4,
        "customers.csv:2:3: column 'target_percent': expected a percentage from 0 to 100 with at most 6 decimal places",
    );
}

#[test]
fn unknown_currencies_are_refused() {
    fails(
        &with("customers.csv", &CUSTOMERS.replace("GBP", "XYZ")),
        4,
        "customers.csv:2:7: column 'currency': expected an ISO 4217 currency code like GBP, found \"XYZ\"",
    );
}

#[test]
fn headers_match_in_any_case_and_order() {
    let w = valid();
    w.write(
        "customers.csv",
        "\u{feff}Currency , MONTHLY_FEE,Tier,Regions,Services,Name,Customer_ID\nGBP,1000.00,standard,*,*,Acme,C1\n",
    );
    w.write("checks.csv", CHECKS.replace("timestamp,service,region,location,status", "Status,Location,Region,Service,Timestamp").replace(
        "2026-10-01T00:00:00Z,api,eu,lon,up\n2026-10-01T00:01:00Z,api,eu,lon,down\n2026-10-01T00:02:00Z,api,eu,lon,up",
        "up,lon,eu,api,2026-10-01T00:00:00Z\ndown,lon,eu,api,2026-10-01T00:01:00Z\nup,lon,eu,api,2026-10-01T00:02:00Z",
    ));
    let reordered = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "a"]);
    reordered.assert_ok();
    let v = valid();
    v.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "a"]).assert_ok();
    assert_eq!(w.read("a/2026-10/sla_monthly.csv"), v.read("a/2026-10/sla_monthly.csv"));
}

#[test]
fn headers_without_the_columns_name_them_all() {
    let msg = fails(
        &with("checks.csv", "Date-Time,Monitor,Status,Duration\n01/10/2026 00:00:00,api,Up,1\n"),
        4,
        "checks.csv:1: missing columns 'timestamp', 'service', 'region', 'location' (the header has: Date-Time, Monitor, Status, Duration)",
    );
    assert!(!msg.contains("panicked"));
    fails(&with("checks.csv", "timestamp;service;region;location;status\n"), 4, "the file looks separated by ';'");
    fails(
        &with("checks.csv", "timestamp,service,region,location,status,Status\n"),
        4,
        "checks.csv:1: column 'status' appears twice in the header (columns 5 and 6)",
    );
}

#[test]
fn a_pattern_matching_nothing_names_what_is_there() {
    let w = with("sla.toml", &CONFIG.replace("checks = [\"checks*.csv\"]", "checks = [\"probes/*.csv\"]"));
    w.write("probes/a.csv.gz", "x");
    w.write("probes/b.csv.gz", "x");
    fails(&w, 4, "sla.toml: [inputs] checks: \"probes/*.csv\" matched no file; probes/ holds 2 .csv.gz files");
    let optional = CONFIG.replace(
        "checks = [\"checks*.csv\"]",
        "checks = [\"checks*.csv\", { path = \"probes/*.csv\", optional = true }]",
    );
    let w = with("sla.toml", &optional);
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]).assert_ok();
}

#[test]
fn timestamps_outside_the_supported_range_are_refused() {
    fails(
        &with("checks.csv", &CHECKS.replace("2026-10-01T00:01:00Z", "1970-01-01T00:00:00Z")),
        4,
        "checks.csv:3:1: column 'timestamp': 1970-01-01T00:00:00Z is outside the supported range 1990-01-01 to 2099-12-31",
    );
    fails(
        &with("checks.csv", &CHECKS.replace("2026-10-01T00:01:00Z", "0000-01-01T00:00:00Z")),
        4,
        "checks.csv:3:1: column 'timestamp': 0000-01-01T00:00:00Z is outside the supported range",
    );
}

#[test]
fn a_header_only_customers_file_is_refused() {
    fails(
        &with("customers.csv", "customer_id,name,tier\n"),
        4,
        "customers.csv: no customers: a report needs at least one customer row",
    );
}

#[test]
fn months_are_bounded() {
    let w = valid();
    let run = w.run(&["run", "--config", "sla.toml", "--from", "0001-01", "--to", "9999-12", "--out", "out"]);
    run.assert_error(2, "is 119988 months; a run covers at most 36, split the range");
    let run = w.run(&["run", "--config", "sla.toml", "--month", "1970-01", "--out", "out"]);
    run.assert_error(2, "month 1970-01 is outside the supported years 1990 to 2099");
    // Without a period, a stray old row does not add years of months.
    w.write("checks.csv", format!("{CHECKS}1995-03-10T00:00:00Z,api,eu,lon,up\n"));
    let run = w.run(&["run", "--config", "sla.toml", "--out", "out"]);
    run.assert_ok();
    let months: Vec<_> = std::fs::read_dir(w.path().join("out"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.') && n != "history")
        .collect();
    assert!(months.len() <= 12, "{months:?}");
}

#[test]
fn glob_characters_in_the_config_directory_are_literal() {
    let w = valid();
    for f in ["sla.toml", "customers.csv", "checks.csv", "incidents.csv"] {
        let text = w.read(f);
        w.write(&format!("[prod]/{f}"), text);
    }
    w.run(&["run", "--config", "[prod]/sla.toml", "--month", "2026-10", "--out", "out"]).assert_ok();
    assert!(w.read("out/2026-10/sla_monthly.csv").contains(",1860,"), "the checks were found");
}
