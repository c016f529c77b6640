//! One binary that works anywhere: a copy of the built binary, run from an empty folder
//! with no source tree in reach (`CARGO_MANIFEST_DIR` unset), writes a starter project
//! (`init`) and the sample (`run` without `--config`) from the files embedded in it, and
//! reports exactly what a run on the repository's sample-data/ reports, PDFs and fonts
//! included. A config naming its own template directory uses it.

use crate::pdfs::pdf_words;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::workdir::{Run, valid};

const MONTH: [&str; 4] = ["--month", "2026-10", "--as-of", "2026-11-02T00:00:00Z"];

/// A copy of the binary in a temporary folder, and an empty working folder beside it.
struct Elsewhere {
    root: tempfile::TempDir,
}

impl Elsewhere {
    fn new() -> Elsewhere {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("bin")).unwrap();
        std::fs::create_dir(root.path().join("cwd")).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_slareport"), root.path().join("bin/slareport")).unwrap();
        Elsewhere { root }
    }

    fn cwd(&self) -> PathBuf {
        self.root.path().join("cwd")
    }

    fn spawn(&self, args: &[&str]) -> Child {
        spawn(&self.root.path().join("bin/slareport"), &self.cwd(), args)
    }

    fn run(&self, args: &[&str]) -> Run {
        wait(self.spawn(args), &self.cwd())
    }
}

fn spawn(bin: &Path, cwd: &Path, args: &[&str]) -> Child {
    // A binary copied a moment ago can be "busy" (ETXTBSY) while another test thread's
    // fork still holds the copy's write handle: try again shortly.
    for attempt in 0.. {
        let spawned = Command::new(bin)
            .args(args)
            .current_dir(cwd)
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("RUST_BACKTRACE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        match spawned {
            Ok(child) => return child,
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && attempt < 50 => {
                std::thread::sleep(std::time::Duration::from_millis(100))
            }
            Err(e) => panic!("run slareport: {e}"),
        }
    }
    unreachable!("the loop returns or panics")
}

fn wait(child: Child, cwd: &Path) -> Run {
    Run { output: child.wait_with_output().unwrap(), dir: cwd.to_path_buf() }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fonts of a PDF (`pdffonts`), each with whether it is embedded.
fn fonts(path: &Path) -> Vec<(String, bool)> {
    let o = Command::new("pdffonts").arg(path).output().expect("pdffonts (poppler-utils)");
    assert!(o.status.success(), "pdffonts failed on {}", path.display());
    let text = String::from_utf8(o.stdout).unwrap();
    // name, type (two words), encoding, emb, sub, uni, object, generation.
    text.lines()
        .skip(2)
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[0].to_string(), w[w.len() - 5] == "yes")
        })
        .collect()
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(p)).unwrap()
}

#[test]
fn a_copied_binary_reports_the_sample_from_an_empty_folder() {
    let e = Elsewhere::new();
    let init = e.run(&["init", "demo"]);
    init.assert_ok();
    assert!(init.stdout().contains("slareport run --config demo/sla.toml"), "{}", init.stdout());
    let starter = std::fs::read_to_string(e.cwd().join("demo/sla.toml")).unwrap();
    assert!(starter.contains("docs/CONTRACT.md") && starter.lines().any(|l| l == "template = \"template/default\""));
    assert!(!starter.contains("/work/") && !starter.contains("../shared"), "no machine path in the starter config");
    for f in
        ["customers.csv", "checks/eu-west.csv.gz", "template/default/template.toml", "template/fonts/DejaVuSans.ttf"]
    {
        assert!(e.cwd().join("demo").join(f).is_file(), "init wrote {f}");
    }

    // Three runs at once: the starter project, the sample `run` writes when given no
    // config (in a second empty folder), and the repository's sample-data/.
    let mut args = vec!["run", "--config", "demo/sla.toml", "--out", "demo/reports"];
    args.extend(MONTH);
    let starter_run = e.spawn(&args);
    let bare = Elsewhere::new();
    let mut args = vec!["run"];
    args.extend(MONTH);
    let bare_run = bare.spawn(&args);
    let repo = tempfile::tempdir().unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/sla.toml");
    let mut args = vec!["run", "--config", config.to_str().unwrap(), "--out", "out"];
    args.extend(MONTH);
    let repo_run = spawn(Path::new(env!("CARGO_BIN_EXE_slareport")), repo.path(), &args);
    let (starter_run, bare_run, repo_run) =
        (wait(starter_run, &e.cwd()), wait(bare_run, &bare.cwd()), wait(repo_run, repo.path()));
    for r in [&starter_run, &bare_run, &repo_run] {
        r.assert_ok();
    }
    let out = bare_run.stdout();
    assert!(out.starts_with("Wrote the sample data built into slareport to sample-data/"), "{out}");
    assert!(out.contains("from sample-data/sla.toml"), "{out}");
    assert_eq!(
        read(&bare.cwd().join("sample-data/sla.toml")),
        read(&config),
        "the sample written out is the repository's"
    );

    let month = |root: &Path| root.join("2026-10");
    let (starter, bare_out, repo_out) =
        (month(&e.cwd().join("demo/reports")), month(&bare.cwd().join("reports")), month(&repo.path().join("out")));
    for f in ["sla_monthly.csv", "credits.csv", "tiers.csv", "evidence.csv", "recovery.csv", "backups.csv"] {
        let expected = read(&repo_out.join(f));
        assert!(read(&starter.join(f)) == expected, "{f}: the starter project's differs from the repository sample's");
        assert!(read(&bare_out.join(f)) == expected, "{f}: the written sample's differs from the repository sample's");
    }
    let rows = String::from_utf8(read(&repo_out.join("sla_monthly.csv"))).unwrap();
    assert!(rows.lines().count() > 10 && rows.contains(",false,"), "{rows}");
    // The embedded sample and template are the repository's bytes: the same manifest,
    // PDFs included; the starter's template copy has the default template's digest.
    assert!(
        read(&bare_out.join("manifest.json")) == read(&repo_out.join("manifest.json")),
        "the manifest of the written sample's run differs from the repository sample's"
    );
    let (a, b) = (json(&starter.join("manifest.json")), json(&repo_out.join("manifest.json")));
    assert_eq!(a["template"], b["template"]);
    assert_eq!(a["inputs"], b["inputs"]);

    // PDFs with their fonts embedded, and the customer's name in them.
    let summary = starter.join("summary.pdf");
    assert!(pdf_words(&summary).contains("Portfolio summary"));
    let pdf = starter.join("customers/C002.pdf");
    assert!(pdf_words(&pdf).contains("Müller & Söhne GmbH"));
    let faces = fonts(&pdf);
    assert!(faces.iter().any(|(name, _)| name.ends_with("DejaVuSans")), "{faces:?}");
    assert!(faces.iter().all(|(_, embedded)| *embedded), "every font is embedded: {faces:?}");

    // The written sample stays where the run read it, so the run verifies.
    bare.run(&["verify"]).assert_ok();
}

#[test]
fn a_template_directory_in_the_config_overrides_the_built_in_one() {
    let e = Elsewhere::new();
    e.run(&["init", "brand"]).assert_ok();
    let toml = e.cwd().join("brand/template/default/template.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let edited = text
        .replacen("provider_name = \"Northwind Cloud Ltd\"", "provider_name = \"Blue Heron Hosting\"", 1)
        .replacen("report = \"Service level report\"", "report = \"Rapport de disponibilite\"", 1)
        .replacen("primary = \"#1F3A5F\"", "primary = \"#7A1F5F\"", 1);
    assert!(edited.contains("Blue Heron") && edited.contains("Rapport de") && edited.contains("#7A1F5F"));
    std::fs::write(&toml, edited).unwrap();

    // A small data set; one config with the edited template, one without a template.
    let w = valid();
    let config = std::fs::read_to_string(w.path().join("sla.toml")).unwrap();
    let branded = config.replacen("[report]\n", &format!("[report]\ntemplate = {:?}\n", toml.parent().unwrap()), 1);
    w.write("branded.toml", branded);
    for (cfg, out) in [("sla.toml", "plain"), ("branded.toml", "branded")] {
        let mut args = vec!["run", "--config", cfg, "--out", out];
        args.extend(MONTH);
        let child = spawn(&e.root.path().join("bin/slareport"), w.path(), &args);
        wait(child, w.path()).assert_ok();
    }
    let plain = pdf_words(&w.path().join("plain/2026-10/customers/C1.pdf"));
    let branded = pdf_words(&w.path().join("branded/2026-10/customers/C1.pdf"));
    assert!(plain.contains("Service level report") && plain.contains("Northwind Cloud Ltd"), "{plain}");
    assert!(branded.contains("Rapport de disponibilite") && branded.contains("Blue Heron Hosting"), "{branded}");
    assert!(!branded.contains("Service level report") && !branded.contains("Northwind"), "{branded}");
    let digest = |dir: &str| json(&w.path().join(dir).join("2026-10/manifest.json"))["template"].clone();
    assert_ne!(digest("plain"), digest("branded"), "the manifest records the template used");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_unless_forced() {
    let e = Elsewhere::new();
    std::fs::create_dir_all(e.cwd().join("proj")).unwrap();
    std::fs::write(e.cwd().join("proj/notes.txt"), "mine").unwrap();
    e.run(&["init", "proj"])
        .assert_error(2, "proj: the folder is not empty (--force writes the starter's files into it anyway)");
    assert!(!e.cwd().join("proj/sla.toml").exists(), "nothing written");
    e.run(&["init", "proj/notes.txt"]).assert_error(2, "proj/notes.txt: is not a folder");

    std::fs::write(e.cwd().join("proj/sla.toml"), "# my own").unwrap();
    e.run(&["init", "--force", "proj"]).assert_ok();
    assert_eq!(std::fs::read_to_string(e.cwd().join("proj/notes.txt")).unwrap(), "mine", "other files are kept");
    assert!(std::fs::read_to_string(e.cwd().join("proj/sla.toml")).unwrap().contains("[tiers.standard]"));
    assert!(e.cwd().join("proj/template/fonts/DejaVuSans.ttf").is_file());

    // An empty folder is fine, the current one too; nothing is left behind.
    let names = |d: &Path| {
        let mut n: Vec<String> =
            std::fs::read_dir(d).unwrap().map(|d| d.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    };
    std::fs::create_dir(e.cwd().join("empty")).unwrap();
    e.run(&["init", "empty"]).assert_ok();
    std::fs::create_dir(e.cwd().join("here")).unwrap();
    wait(spawn(&e.root.path().join("bin/slareport"), &e.cwd().join("here"), &["init", "."]), &e.cwd()).assert_ok();
    assert_eq!(names(&e.cwd()), ["empty", "here", "proj"]);
    let project = ["backups.csv", "checks", "customers.csv", "incidents.csv", "outages.csv", "sla.toml", "template"];
    assert_eq!(names(&e.cwd().join("empty")), project);
    assert_eq!(names(&e.cwd().join("here")), project);

    // Without a config, commands other than `run` say how to get one.
    e.run(&["validate"]).assert_error(2, "`slareport init DIR` writes a starter project");
}

/// Every file of report-templates/ is embedded, and the sample's inputs are: a font or
/// input added to the repository but not to `src/assets.rs` fails here.
#[test]
fn the_embedded_files_are_the_repository_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut on_disk = Vec::new();
    for dir in ["default", "fonts"] {
        for entry in std::fs::read_dir(root.join("report-templates").join(dir)).unwrap() {
            on_disk.push(format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy()));
        }
    }
    on_disk.sort();
    let mut embedded: Vec<String> = slareport::assets::TEMPLATES.iter().map(|(p, _)| p.to_string()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
    let mut sample = vec!["sla.toml".to_string()];
    for pattern in ["*.csv", "checks/*"] {
        for p in glob::glob(root.join("sample-data").join(pattern).to_str().unwrap()).unwrap() {
            sample.push(p.unwrap().strip_prefix(root.join("sample-data")).unwrap().to_string_lossy().into_owned());
        }
    }
    sample.sort();
    let mut embedded: Vec<String> = slareport::assets::SAMPLE.iter().map(|(p, _)| p.to_string()).collect();
    embedded.sort();
    assert_eq!(embedded, sample);
    for (rel, bytes) in slareport::assets::TEMPLATES {
        assert!(read(&root.join("report-templates").join(rel)) == *bytes, "{rel}");
    }
}
