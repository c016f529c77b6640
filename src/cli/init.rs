//! `slareport init DIR`: a starter project from the files embedded in the binary: the
//! sample's commented `sla.toml`, the sample inputs, and a copy of the default template
//! under `template/` that the config uses. Also writes the bare sample for `run` without
//! `--config` (see `run::config_or_written_sample`).

use clap::Args;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::assets::{Asset, SAMPLE, TEMPLATE_LINE, TEMPLATES};
use crate::error::RunError;

#[derive(Debug, Args)]
#[command(
    after_help = "Writes DIR/sla.toml (commented), the sample inputs (customers.csv, checks/, outages.csv,\nincidents.csv, backups.csv) and the default report template in DIR/template/ (template.toml,\nlogo and fonts), which DIR/sla.toml names in `[report] template`: edit it to brand the PDFs.\n\nExamples:\n  slareport init sla-demo\n  slareport run --config sla-demo/sla.toml --out sla-demo/reports"
)]
pub struct InitArgs {
    /// The folder to write: created, or an empty one.
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Write into a folder that is not empty: the starter's files replace files of the
    /// same name there; other files are left alone.
    #[arg(long)]
    pub(crate) force: bool,
}

pub(crate) fn init(args: InitArgs) -> Result<Outcome, RunError> {
    write_project(&args.dir, true, args.force)?;
    let d = args.dir.display();
    Ok(Outcome {
        text: format!(
            "Wrote a starter project to {d}/: sla.toml (commented), the sample inputs, and the default report template in {d}/template/ to customise.\nNext: slareport run --config {d}/sla.toml --out {d}/reports\n"
        ),
        code: 0,
        data: None,
        warnings: Vec::new(),
    })
}

/// The files of a project: the sample, with `template/` and the config naming it when
/// `with_template`.
fn project_files(with_template: bool) -> Vec<(String, std::borrow::Cow<'static, [u8]>)> {
    let mut files: Vec<(String, std::borrow::Cow<'static, [u8]>)> =
        SAMPLE.iter().map(|&(rel, bytes): &Asset| (rel.to_string(), bytes.into())).collect();
    if with_template {
        let config = std::str::from_utf8(crate::assets::get(SAMPLE, "sla.toml").expect("embedded"))
            .expect("the sample config is UTF-8")
            .replacen(TEMPLATE_LINE, TEMPLATE_LINE.trim_start_matches("# "), 1);
        files[0] = ("sla.toml".to_string(), config.into_bytes().into());
        files.extend(TEMPLATES.iter().map(|&(rel, bytes)| (format!("template/{rel}"), bytes.into())));
    }
    files
}

/// Writes a project to `dir`: into a temporary folder beside it, then renamed into place;
/// into an existing (empty, or with `force` any) folder, staged in a temporary folder
/// inside it and each file renamed into place. A usage error (exit 2) for a `dir` that is
/// a file, or not empty without `force`; an output error (exit 5) when writing fails.
pub(crate) fn write_project(dir: &Path, with_template: bool, force: bool) -> Result<(), RunError> {
    let shown = dir.display();
    let exists = dir.symlink_metadata().is_ok();
    let empty = match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) if !exists => true,
        Err(_) if !dir.is_dir() => {
            return Err(RunError::Usage(format!("{shown}: is not a folder")));
        }
        Err(e) => return Err(RunError::Output(format!("{shown}: cannot read: {e}"))),
    };
    if !empty && !force {
        return Err(RunError::Usage(format!(
            "{shown}: the folder is not empty (--force writes the starter's files into it anyway)"
        )));
    }
    let out = |what: String, e: std::io::Error| RunError::Output(format!("{what}: {e}"));
    let staging = if exists {
        dir.to_path_buf()
    } else {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| out(format!("{}: cannot create", parent.display()), e))?;
        parent
    };
    let tmp = {
        use std::os::unix::fs::PermissionsExt;
        tempfile::Builder::new()
            .prefix(".slareport-init-")
            .permissions(std::fs::Permissions::from_mode(0o777))
            .tempdir_in(&staging)
            .map_err(|e| out(format!("{}: cannot write", staging.display()), e))?
    };
    let files = project_files(with_template);
    for (rel, bytes) in &files {
        let p = tmp.path().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| out(format!("{}: cannot create", d.display()), e))?;
        }
        std::fs::write(&p, bytes).map_err(|e| out(format!("{}: cannot write", p.display()), e))?;
    }
    if !exists {
        std::fs::rename(tmp.path(), dir).map_err(|e| out(format!("{shown}: cannot create"), e))?;
        let _ = tmp.keep();
        return Ok(());
    }
    for (rel, _) in &files {
        let to = dir.join(rel);
        if let Some(d) = to.parent() {
            std::fs::create_dir_all(d).map_err(|e| out(format!("{}: cannot create", d.display()), e))?;
        }
        std::fs::rename(tmp.path().join(rel), &to).map_err(|e| out(format!("{}: cannot write", to.display()), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_config_names_its_template_copy() {
        let files = project_files(true);
        let config = String::from_utf8(files.iter().find(|(p, _)| p == "sla.toml").unwrap().1.to_vec()).unwrap();
        assert!(config.lines().any(|l| l == "template = \"template/default\""), "{config}");
        assert!(files.iter().any(|(p, _)| p == "template/default/template.toml"));
        assert!(files.iter().any(|(p, _)| p == "template/fonts/DejaVuSans.ttf"));
        let bare = project_files(false);
        assert!(bare.iter().all(|(p, _)| !p.starts_with("template/")));
        assert_eq!(&*bare[0].1, crate::assets::get(SAMPLE, "sla.toml").unwrap());
    }
}
