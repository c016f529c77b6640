//! PDF reports: their text (via `pdftotext`, from poppler-utils) carries the customer
//! name, the uptime as in the CSV, every incident id and the manifest's fingerprint;
//! they are deterministic; long tables paginate; non-Latin names are embedded.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::workdir::{CONFIG, CUSTOMERS, Workdir, valid};

fn pdf_text(path: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed for the PDF tests");
    assert!(o.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8(o.stdout).unwrap()
}

/// The words of a PDF's text on one line, single-spaced (wrapping and layout ignored).
pub(crate) fn pdf_words(path: &Path) -> String {
    pdf_text(path).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pages(path: &Path) -> usize {
    let o = Command::new("pdfinfo").arg(path).output().expect("pdfinfo");
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap_or_else(|| panic!("no page count for {}: {text}", path.display()))
}

fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect()
}

fn run(w: &Workdir, out: &str) {
    w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", out, "--as-of", "2026-11-02T00:00:00Z"])
        .assert_ok();
}

#[test]
fn every_customer_pdf_shows_its_numbers_incidents_and_fingerprint() {
    let w = Workdir::new();
    w.run(&["run", "--month", "2026-10", "--as-of", "2026-11-02T00:00:00Z"]).assert_ok();
    let month = w.path().join("reports/2026-10");
    let manifest: serde_json::Value = serde_json::from_str(&w.read("reports/2026-10/manifest.json")).unwrap();
    let fingerprint = manifest["data_fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fingerprint.len(), 64);
    let listed: Vec<String> =
        manifest["outputs"].as_array().unwrap().iter().map(|o| o["path"].as_str().unwrap().to_string()).collect();
    let sla = rows(&w.read("reports/2026-10/sla_monthly.csv"));
    assert!(sla.len() > 10);
    // Each customer PDF's words, read once.
    let words: HashMap<String, String> = sla
        .iter()
        .map(|r| (r["customer_id"].clone(), pdf_words(&month.join(format!("customers/{}.pdf", r["customer_id"])))))
        .collect();
    for r in &sla {
        let name = format!("customers/{}.pdf", r["customer_id"]);
        assert!(listed.contains(&name), "{name} is in the manifest");
        let flat = &words[&r["customer_id"]];
        assert!(flat.contains(&r["customer_name"]), "{name}: customer name {:?}", r["customer_name"]);
        assert!(flat.contains(&format!("{} %", r["uptime_percent"])), "{name}: uptime {}", r["uptime_percent"]);
        assert!(flat.contains(&fingerprint), "{name}: fingerprint");
        for id in r["incidents"].split(';').filter(|s| !s.is_empty()) {
            assert!(flat.contains(id), "{name}: incident {id}");
        }
        assert!(flat.contains(if r["met"] == "true" { "Target met" } else { "Target missed" }), "{name}");
        // Fit to send: no input file, line or probe location (those are in evidence.csv).
        for internal in ["outages.csv", ".csv:", "frankfurt", "locations down"] {
            assert!(!flat.contains(internal), "{name} shows {internal:?}");
        }
    }
    assert!(words.values().any(|w| w.contains("our external monitors")), "some customer PDF names the monitors");
    // The daily chart's colour key shows the partial tone only where a day had partial
    // impact alone: C006 on 2026-10-10 (INC-2610-005, no other downtime that day).
    let evidence = rows(&w.read("reports/2026-10/evidence.csv"));
    let flat = |id: &str| &words[id];
    assert!(flat("C006").contains("partial impact only, counted at its weight"), "C006");
    for r in &sla {
        let id = &r["customer_id"];
        if !evidence.iter().any(|e| &e["customer_id"] == id && e["kind"] == "partial") {
            assert!(!flat(id).contains("partial impact only"), "{id} has no partial impact");
        }
    }
    let summary = pdf_text(&month.join("summary.pdf"));
    assert!(summary.contains("Portfolio summary") && summary.contains(&fingerprint));
    assert!(summary.split_whitespace().collect::<Vec<_>>().join(" ").contains("Müller & Söhne GmbH (C002)"));
}

#[test]
fn pdfs_are_byte_identical_for_the_same_inputs_and_as_of() {
    let w = valid();
    run(&w, "a");
    run(&w, "b");
    for f in ["summary.pdf", "customers/C1.pdf", "manifest.json"] {
        let a = std::fs::read(w.path().join("a/2026-10").join(f)).unwrap();
        let b = std::fs::read(w.path().join("b/2026-10").join(f)).unwrap();
        assert!(a == b, "{f} differs between runs");
    }
    let text = pdf_text(&w.path().join("a/2026-10/customers/C1.pdf"));
    assert!(text.contains("generated 2026-11-02 00:00:00 UTC"), "the generation date is the --as-of");
}

#[test]
fn two_hundred_incidents_flow_over_pages_with_repeated_headers() {
    let w = valid();
    let mut inc = String::from("incident_id,title,category,impact,start,end,services,regions,customers,announced_at\n");
    for k in 0..200 {
        let day = 1 + k / 8;
        let hour = (k % 8) * 3;
        inc.push_str(&format!(
            "INC-{k:04},Incident number {k} with a title long enough to wrap in its column,unplanned,major,2026-10-{day:02}T{hour:02}:00:00Z,2026-10-{day:02}T{hour:02}:05:00Z,*,*,*,\n"
        ));
    }
    w.write("incidents.csv", inc);
    run(&w, "out");
    let pdf = w.path().join("out/2026-10/customers/C1.pdf");
    let n = pages(&pdf);
    assert!(n >= 6, "200 incidents need several pages, got {n}");
    let text = pdf_text(&pdf);
    for k in 0..200 {
        assert!(text.contains(&format!("INC-{k:04}")), "INC-{k:04} is listed");
    }
    // Each page carries its footer, and the incident table's header repeats.
    for p in 1..=n {
        assert!(text.contains(&format!("Page {p} of {n}")), "page {p} footer");
    }
    let headers = text.matches("In this report").count();
    assert!(headers >= 3, "the incidents header repeats on continuation pages ({headers})");
}

#[test]
fn non_latin_names_are_embedded_not_blank() {
    let w = valid();
    let names = [
        ("C1", "株式会社さくらデジタル"),
        ("C2", "Müller & Söhne GmbH"),
        ("C3", "Ελληνική Εταιρεία ΑΕ"),
        ("C4", "Компания Пример"),
        ("C5", "한국 클라우드 주식회사"),
        ("C6", "שלום בע\"מ"),
        ("C7", "شركة المثال"),
    ];
    let mut c = String::from("customer_id,name,tier,services,regions,monthly_fee,currency\n");
    for (id, name) in names {
        c.push_str(&format!("{id},\"{}\",standard,*,*,10.00,EUR\n", name.replace('"', "\"\"")));
    }
    w.write("customers.csv", c);
    run(&w, "out");
    for (id, name) in names.iter().take(5) {
        let text = pdf_text(&w.path().join(format!("out/2026-10/customers/{id}.pdf")));
        assert!(text.contains(name), "{id}: {name} is extractable text");
    }
    // Right-to-left names are drawn in visual order; their letters are all present.
    for (id, name) in &names[5..] {
        let text = pdf_text(&w.path().join(format!("out/2026-10/customers/{id}.pdf")));
        let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
        assert!(letters.iter().all(|l| text.contains(*l)), "{id}: every letter of {name} is embedded");
        assert!(!text.contains('?'), "{id}: no replacement marks");
    }
}

#[test]
fn a_missing_template_is_named() {
    let w = valid();
    w.write("sla.toml", CONFIG.replace("[report]\n", "[report]\ntemplate = \"brand\"\n"));
    let run = w.run(&["run", "--config", "sla.toml", "--month", "2026-10", "--out", "out"]);
    run.assert_error(3, "brand/template.toml: cannot read");
    let _ = CUSTOMERS;
}

#[test]
fn pdf_bytes_do_not_depend_on_what_else_the_run_rendered() {
    let w = valid();
    let go = |out: &str, months: &[&str]| {
        let mut args = vec!["run", "--config", "sla.toml", "--out", out, "--as-of", "2026-11-02T00:00:00Z"];
        args.extend_from_slice(months);
        w.run(&args).assert_ok();
    };
    go("one", &["--month", "2026-09"]);
    go("one", &["--month", "2026-10"]);
    go("range", &["--from", "2026-09", "--to", "2026-10"]);
    for f in ["summary.pdf", "customers/C1.pdf", "manifest.json"] {
        let a = std::fs::read(w.path().join("one/2026-10").join(f)).unwrap();
        let b = std::fs::read(w.path().join("range/2026-10").join(f)).unwrap();
        assert!(a == b, "{f}: a single-month run and a range run must write the same bytes");
    }
}

#[test]
fn the_trend_comes_from_recorded_results_by_raw_id_and_is_verified() {
    // An id a spreadsheet would read as a formula is neutralised in the CSVs ('=C1), but
    // the trend matches the raw id, from the history's results files.
    let w = valid();
    w.write("customers.csv", CUSTOMERS.replace("C1,Acme", "=C1,Acme"));
    let go = |month: &str| {
        w.run(&["run", "--config", "sla.toml", "--month", month, "--out", "out", "--as-of", "2026-11-02T00:00:00Z"])
            .assert_ok();
    };
    go("2026-09");
    go("2026-10");
    let manifest: serde_json::Value = serde_json::from_str(&w.read("out/2026-10/manifest.json")).unwrap();
    let trend = manifest["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 1, "{manifest}");
    assert_eq!((trend[0]["month"].as_str(), trend[0]["customers"].as_u64()), (Some("2026-09"), Some(1)));
    let pdf = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["path"].as_str())
        .find(|p| p.starts_with("customers/"))
        .unwrap()
        .to_string();
    assert!(!pdf.contains('='), "{pdf}");
    let text = pdf_text(&w.path().join("out/2026-10").join(&pdf));
    assert!(text.contains("Sep 26") && text.contains("Oct 26"), "the trend shows September:\n{text}");
    let verify = w.run(&["verify", "--out", "out"]);
    assert!(verify.stdout().contains("trend of 2026-10/: 1 earlier month(s), each the figures of a recorded run"));
    assert_eq!(verify.code(), 0, "{}", verify.stdout());
    // Earlier months written in the output directory by hand are not trusted.
    let sla = w.read("out/2026-09/sla_monthly.csv");
    w.write("out/2026-09/sla_monthly.csv", sla.replace(",true,", ",false,"));
    go("2026-10");
    let again: serde_json::Value = serde_json::from_str(&w.read("out/2026-10/manifest.json")).unwrap();
    assert_eq!(again["trend"], manifest["trend"], "the trend does not read the published CSV");
}
