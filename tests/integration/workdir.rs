//! A scratch directory with input files and a way to run the binary in it; on failure
//! the assertion messages print the directory, exit status, stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub output: Output,
    pub dir: PathBuf,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    fn describe(&self) -> String {
        format!(
            "in {}\nexit: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.dir.display(),
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }
    pub fn assert_ok(&self) -> &Self {
        assert!(self.output.status.success(), "expected success\n{}", self.describe());
        self
    }
    /// Asserts a failure with this exit code and a single stderr line containing `needle`.
    pub fn assert_error(&self, code: i32, needle: &str) -> String {
        let err = self.stderr();
        assert_eq!(self.code(), code, "wrong exit code\n{}", self.describe());
        assert_eq!(err.lines().count(), 1, "error must be one line\n{}", self.describe());
        assert!(err.contains(needle), "stderr should contain {needle:?}\n{}", self.describe());
        err.trim_end().to_string()
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.dir.path().join(name).exists()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_slareport"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("run slareport");
        Run { output, dir: self.dir.path().to_path_buf() }
    }
}

/// A minimal valid configuration; tests replace parts of it.
pub const CONFIG: &str = r#"[report]
timezone = "UTC"

[inputs]
customers = "customers.csv"
checks = ["checks*.csv"]
outages = []
incidents = ["incidents.csv"]

[monitoring]
max_gap_seconds = 120

[tiers.standard]
target_percent = 99.95
credits = [
  { below_percent = 99.95, credit_percent = 10 },
  { below_percent = 99.0, credit_percent = 25 },
]
"#;

pub const CUSTOMERS: &str =
    "customer_id,name,tier,services,regions,monthly_fee,currency\nC1,Acme,standard,*,*,1000.00,GBP\n";

pub const CHECKS: &str = "timestamp,service,region,location,status\n2026-10-01T00:00:00Z,api,eu,lon,up\n2026-10-01T00:01:00Z,api,eu,lon,down\n2026-10-01T00:02:00Z,api,eu,lon,up\n";

pub const INCIDENTS: &str = "incident_id,title,category,impact,start,end,services,regions,customers,announced_at\nI1,Outage,unplanned,major,2026-10-05T10:00:00Z,2026-10-05T10:30:00Z,*,*,*,\n";

/// A workdir holding a valid setup.
pub fn valid() -> Workdir {
    let w = Workdir::new();
    w.write("sla.toml", CONFIG);
    w.write("customers.csv", CUSTOMERS);
    w.write("checks.csv", CHECKS);
    w.write("incidents.csv", INCIDENTS);
    w
}

/// A CSV text as rows of column name → cell.
pub fn read_csv(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect()
}
