//! Files embedded in the binary, so that it works without the source tree it was built
//! from: the default report template (`report-templates/`: template.toml, logo, fonts and
//! their licences) and the bundled sample (`sample-data/sla.toml` and the inputs it names).
//! `slareport init` writes both out as a starter project; a run without `--config` writes
//! the sample out (see `cli::init`). The bytes are the files' own, so the template digest
//! of the embedded default is that of `report-templates/default/template.toml`.

#[cfg(test)]
use std::path::PathBuf;
use std::path::{Component, Path};

/// One embedded file: its path (relative, `/`-separated) and bytes.
pub(crate) type Asset = (&'static str, &'static [u8]);

macro_rules! embed {
    ($root:literal, [$($rel:literal),* $(,)?]) => {
        &[$(($rel, include_bytes!(concat!("../", $root, "/", $rel)) as &[u8])),*]
    };
}

/// `report-templates/`, as laid out in the repository: `default/` holds template.toml and
/// the logo, `fonts/` the fonts its `[fonts]` name as `../fonts/...`.
pub const TEMPLATES: &[Asset] = embed!(
    "report-templates",
    [
        "default/template.toml",
        "default/logo.png",
        "fonts/DejaVuSans.ttf",
        "fonts/DejaVuSans-Bold.ttf",
        "fonts/DroidSansFallbackFull.ttf",
        "fonts/NanumBarunGothic.ttf",
        "fonts/LICENSE-DejaVu.txt",
        "fonts/LICENSE-DroidSansFallback.txt",
        "fonts/LICENSE-Nanum.txt",
    ]
);

/// The default template's directory within [`TEMPLATES`].
pub(crate) const DEFAULT_TEMPLATE: &str = "default";

/// `sample-data/`: the config and every input it names (the check files are gzip
/// compressed already, about 5.5 MB together).
pub const SAMPLE: &[Asset] = embed!(
    "sample-data",
    [
        "sla.toml",
        "customers.csv",
        "checks/ap-southeast.csv.gz",
        "checks/eu-west.csv.gz",
        "checks/us-east.csv.gz",
        "outages.csv",
        "incidents.csv",
        "backups.csv",
    ]
);

/// The line of the sample's sla.toml that `init` uncomments to use its template copy.
pub(crate) const TEMPLATE_LINE: &str = "# template = \"template/default\"";

/// The bytes of `rel` in `assets`.
pub(crate) fn get(assets: &[Asset], rel: &str) -> Option<&'static [u8]> {
    assets.iter().find(|(p, _)| *p == rel).map(|(_, b)| *b)
}

/// A template file named `rel` (as `[fonts]` or `logo` name it, relative to the template
/// directory `dir` of [`TEMPLATES`]), `..` resolved.
pub(crate) fn template_file(dir: &str, rel: &str) -> Option<&'static [u8]> {
    let mut parts: Vec<&str> = dir.split('/').collect();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    get(TEMPLATES, &parts.join("/"))
}

/// Writes `assets` under `dir` (created as needed); returns the paths written (tests).
#[cfg(test)]
pub(crate) fn write_all(assets: &[Asset], dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (rel, bytes) in assets {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, bytes)?;
        written.push(p);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_paths_resolve_like_the_directory() {
        assert!(template_file("default", "template.toml").is_some());
        assert!(template_file("default", "../fonts/DejaVuSans.ttf").is_some());
        assert!(template_file("default", "./logo.png").is_some());
        assert!(template_file("default", "fonts/DejaVuSans.ttf").is_none());
        assert!(template_file("default", "../../fonts/DejaVuSans.ttf").is_none());
        assert!(template_file("default", "/etc/passwd").is_none());
    }

    #[test]
    fn the_sample_config_can_name_the_template_copy() {
        let toml = std::str::from_utf8(get(SAMPLE, "sla.toml").unwrap()).unwrap();
        assert_eq!(toml.matches(TEMPLATE_LINE).count(), 1, "sample-data/sla.toml holds {TEMPLATE_LINE:?} once");
    }
}
