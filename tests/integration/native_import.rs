//! Every native format's example gives the same report as the canonical CSV files that
//! `slareport import` writes from it: what `import` shows is what a run understood.

use std::path::{Path, PathBuf};
use std::process::Command;

fn slareport(args: &[&str], paths: &[&Path]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slareport"));
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    cmd.env_remove("RUST_BACKTRACE").output().unwrap()
}

/// The example's config with each native entry replaced by the files `import` wrote for
/// it (the entry keeps its `values` and `constants`; rows of other roles are added plain).
fn canonical_config(example: &Path, tmp: &Path) -> PathBuf {
    let text = std::fs::read_to_string(example.join("sla.toml")).unwrap();
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    let mut extra: Vec<(String, String)> = Vec::new();
    let inputs = doc["inputs"].as_table_like_mut().unwrap();
    if let Some(c) = inputs.get_mut("customers") {
        let abs = example.join(c.as_str().unwrap());
        *c = toml_edit::value(abs.display().to_string());
    }
    for role in ["checks", "outages", "incidents"] {
        let Some(item) = inputs.get_mut(role) else { continue };
        let entries: Vec<&mut dyn toml_edit::TableLike> = match item {
            toml_edit::Item::Value(toml_edit::Value::Array(a)) => a
                .iter_mut()
                .filter_map(|v| v.as_inline_table_mut().map(|t| t as &mut dyn toml_edit::TableLike))
                .collect(),
            toml_edit::Item::ArrayOfTables(a) => a.iter_mut().map(|t| t as &mut dyn toml_edit::TableLike).collect(),
            _ => Vec::new(),
        };
        for (k, entry) in entries.into_iter().enumerate() {
            let Some(format) = entry.get("format").and_then(|f| f.as_str()).map(String::from) else { continue };
            let source = example.join(entry.get("path").unwrap().as_str().unwrap());
            let out = tmp.join(format!("{role}-{k}"));
            let mut args = vec!["import".to_string(), format.clone()];
            if let Some(opts) = entry.get("options").and_then(|o| o.as_inline_table()) {
                for (key, v) in opts.iter() {
                    let v = v.as_str().map(String::from).unwrap_or_else(|| v.to_string());
                    args.push("--option".into());
                    args.push(format!("{key}={}", v.trim()));
                }
            }
            args.push("--as-of".into());
            args.push("2026-11-05T00:00:00Z".into());
            args.push("--out".into());
            let o = slareport(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[&out, &source]);
            assert!(o.status.success(), "import {format}: {}", String::from_utf8_lossy(&o.stderr));
            entry.remove("format");
            entry.remove("options");
            let own = out.join(format!("{role}.csv"));
            entry.insert("path", toml_edit::value(own.display().to_string()));
            for other in ["checks", "outages", "incidents"].iter().filter(|r| **r != role) {
                let f = out.join(format!("{other}.csv"));
                if f.is_file() {
                    extra.push((other.to_string(), f.display().to_string()));
                }
            }
        }
    }
    for (role, path) in extra {
        let item = inputs.entry(&role).or_insert(toml_edit::value(toml_edit::Array::new()));
        match item {
            toml_edit::Item::Value(toml_edit::Value::Array(a)) => a.push(path),
            toml_edit::Item::ArrayOfTables(a) => {
                let mut t = toml_edit::Table::new();
                t.insert("path", toml_edit::value(path));
                a.push(t);
            }
            other => *other = toml_edit::value(toml_edit::Array::from_iter([path])),
        }
    }
    let path = tmp.join("canonical.toml");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

#[test]
fn every_format_example_equals_its_imported_canonical_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/formats");
    let mut n = 0;
    let mut examples: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    examples.sort();
    for example in examples.iter().filter(|p| p.join("sla.toml").is_file()) {
        // An example whose source is generated (a binary database) is made first.
        if example.join("generate.py").is_file() {
            let o = Command::new("python3").arg("generate.py").current_dir(example).output().unwrap();
            assert!(o.status.success(), "{}: {}", example.display(), String::from_utf8_lossy(&o.stderr));
        }
        let tmp = tempfile::tempdir().unwrap();
        let canonical = canonical_config(example, tmp.path());
        let run = |config: &Path, out: &str| {
            let out = tmp.path().join(out);
            let o = Command::new(env!("CARGO_BIN_EXE_slareport"))
                .args(["run", "--quiet", "--period", "2026-10", "--as-of", "2026-11-05T00:00:00Z", "--config"])
                .arg(config)
                .arg("--out")
                .arg(&out)
                .env_remove("RUST_BACKTRACE")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}: {}", config.display(), String::from_utf8_lossy(&o.stderr));
            out
        };
        let native = run(&example.join("sla.toml"), "native");
        let imported = run(&canonical, "imported");
        for file in ["sla_monthly.csv", "credits.csv", "tiers.csv"] {
            let a = std::fs::read_to_string(native.join("2026-10").join(file)).unwrap();
            let b = std::fs::read_to_string(imported.join("2026-10").join(file)).unwrap();
            assert_eq!(a, b, "{}: {file}", example.display());
        }
        n += 1;
    }
    assert!(n >= 2, "format examples found: {n}");
}
