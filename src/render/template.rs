//! Report templates (`report-templates/<name>/template.toml`): what a provider customises
//! without touching code. Errors name the file and the key.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct TemplateError {
    pub(crate) file: String,
    pub(crate) message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    provider_name: String,
    /// `customer` (the default) or `internal`: what a customer PDF says of the sources.
    #[serde(default)]
    evidence_detail: Option<String>,
    logo: Option<String>,
    page_size: Option<String>,
    fonts: RawFonts,
    colors: BTreeMap<String, String>,
    titles: Titles,
    text: Texts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFonts {
    regular: String,
    bold: String,
    #[serde(default)]
    fallback: Vec<String>,
}

/// Section titles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Titles {
    pub(crate) report: String,
    pub(crate) availability: String,
    pub(crate) trend: String,
    pub(crate) intervals: String,
    pub(crate) incidents: String,
    pub(crate) maintenance: String,
    pub(crate) definitions: String,
    pub(crate) disclaimer: String,
    pub(crate) summary: String,
    pub(crate) tiers: String,
    pub(crate) breaches: String,
    pub(crate) worst_incidents: String,
}

/// Wording with `{placeholder}`s.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Texts {
    pub(crate) definitions: String,
    pub(crate) disclaimer: String,
}

/// An sRGB colour, components 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

#[derive(Debug, Clone, Copy)]
pub(crate) struct Colors {
    pub(crate) primary: Rgb,
    pub(crate) accent: Rgb,
    pub(crate) met: Rgb,
    pub(crate) missed: Rgb,
    pub(crate) partial: Rgb,
    pub(crate) excluded: Rgb,
    pub(crate) muted: Rgb,
    pub(crate) rule: Rgb,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PageSize {
    A4,
    Letter,
}

impl PageSize {
    /// Width and height in points.
    pub(crate) fn points(self) -> (f32, f32) {
        match self {
            PageSize::A4 => (595.28, 841.89),
            PageSize::Letter => (612.0, 792.0),
        }
    }
}

/// A loaded template: wording, colours and the raw bytes of its fonts and logo.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub(crate) provider_name: String,
    pub(crate) page_size: PageSize,
    pub(crate) colors: Colors,
    pub(crate) titles: Titles,
    pub(crate) text: Texts,
    pub(crate) logo_png: Option<Vec<u8>>,
    pub(crate) regular_font: Vec<u8>,
    pub(crate) bold_font: Vec<u8>,
    pub(crate) fallback_fonts: Vec<Vec<u8>>,
    /// SHA-256 of template.toml, for the manifest.
    pub(crate) digest: String,
    /// Customer PDFs name the sources of downtime as evidence.csv does (check series,
    /// probe locations, input files and lines): for internal copies. By default they say
    /// "our external monitors (2 of 3 locations)" and "incident INC-…".
    pub(crate) internal_detail: bool,
}

/// The placeholders `[text]` may use.
pub(crate) const PLACEHOLDERS: [&str; 13] = [
    "period",
    "span",
    "quorum",
    "tier",
    "target_percent",
    "excluded_categories",
    "notice_hours",
    "denominator",
    "partial_weight",
    "min_downtime_seconds",
    "coverage_percent",
    "timezone",
    "provider",
];

fn parse_color(file: &str, key: &str, v: &str) -> Result<Rgb, TemplateError> {
    let hex = v.trim().trim_start_matches('#');
    let bad = || TemplateError {
        file: file.into(),
        message: format!("[colors] {key}: expected a colour like #1F3A5F, found {v:?}"),
    };
    if hex.len() != 6 {
        return Err(bad());
    }
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map(|b| b as f32 / 255.0).map_err(|_| bad());
    Ok(Rgb(c(0)?, c(2)?, c(4)?))
}

/// `[colors]`: every colour of [`Colors`], and no other.
fn parse_colors(file: &str, colors: &BTreeMap<String, String>) -> Result<Colors, TemplateError> {
    let err = |message: String| TemplateError { file: file.into(), message };
    let color = |key: &str| -> Result<Rgb, TemplateError> {
        let v = colors.get(key).ok_or_else(|| err(format!("[colors] {key}: missing")))?;
        parse_color(file, key, v)
    };
    const COLOR_KEYS: [&str; 8] = ["primary", "accent", "met", "missed", "partial", "excluded", "muted", "rule"];
    if let Some(k) = colors.keys().find(|k| !COLOR_KEYS.contains(&k.as_str())) {
        return Err(err(format!("[colors] {k}: unknown colour, expected one of: {}", COLOR_KEYS.join(", "))));
    }
    Ok(Colors {
        primary: color("primary")?,
        accent: color("accent")?,
        met: color("met")?,
        missed: color("missed")?,
        partial: color("partial")?,
        excluded: color("excluded")?,
        muted: color("muted")?,
        rule: color("rule")?,
    })
}

/// Checks that a text only uses known `{placeholders}`.
fn check_placeholders(file: &str, key: &str, text: &str) -> Result<(), TemplateError> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| TemplateError { file: file.into(), message: format!("[text] {key}: unclosed '{{'") })?;
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(TemplateError {
                file: file.into(),
                message: format!(
                    "[text] {key}: unknown placeholder {{{name}}}, expected one of: {}",
                    PLACEHOLDERS.join(", ")
                ),
            });
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Replaces `{name}` by its value.
pub(crate) fn fill(text: &str, values: &[(&str, String)]) -> String {
    let mut out = text.trim().to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

impl Template {
    /// Loads `dir/template.toml` and the files it names.
    pub(crate) fn load(dir: &Path) -> Result<Template, TemplateError> {
        let path = dir.join("template.toml");
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| TemplateError { file: file.clone(), message: format!("cannot read: {e}") })?;
        Template::parse(&file, &text, |rel| {
            let p: PathBuf = dir.join(rel);
            std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        })
    }

    /// The default template embedded in the binary (`report-templates/default`, its
    /// fonts and logo): the same bytes, so the same digest as that directory.
    pub(crate) fn embedded_default() -> Template {
        use crate::assets::{DEFAULT_TEMPLATE, template_file};
        let text = template_file(DEFAULT_TEMPLATE, "template.toml").expect("the default template is embedded");
        let text = std::str::from_utf8(text).expect("the default template.toml is UTF-8");
        Template::parse("the built-in default template", text, |rel| {
            template_file(DEFAULT_TEMPLATE, rel).map(<[u8]>::to_vec).ok_or_else(|| format!("{rel} is not embedded"))
        })
        .expect("the embedded default template is valid (a unit test loads it)")
    }

    /// The template directory named in the config (`[report] template`), else the
    /// embedded default.
    pub(crate) fn for_config(dir: Option<&Path>) -> Result<Template, TemplateError> {
        match dir {
            Some(d) => Template::load(d),
            None => Ok(Template::embedded_default()),
        }
    }

    /// A template from the text of its template.toml (`file` names it in errors) and a
    /// reader of the files it names, relative to its directory.
    fn parse(
        file: &str,
        text: &str,
        read_rel: impl Fn(&str) -> Result<Vec<u8>, String>,
    ) -> Result<Template, TemplateError> {
        let file = file.to_string();
        let err = |message: String| TemplateError { file: file.clone(), message };
        let raw: RawTemplate = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
            let msg = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            match line {
                Some(l) => err(format!("line {l}: {msg}")),
                None => err(msg),
            }
        })?;
        let read = |key: &str, rel: &str| -> Result<Vec<u8>, TemplateError> {
            read_rel(rel).map_err(|e| err(format!("{key}: {e}")))
        };
        let given = raw.page_size.as_deref().unwrap_or("A4");
        let page_size = match given.to_ascii_lowercase().as_str() {
            "a4" => PageSize::A4,
            "letter" => PageSize::Letter,
            _ => return Err(err(format!("page_size: expected A4 or Letter, found {}", crate::common::quote(given)))),
        };
        let colors = parse_colors(&file, &raw.colors)?;
        check_placeholders(&file, "definitions", &raw.text.definitions)?;
        check_placeholders(&file, "disclaimer", &raw.text.disclaimer)?;
        let logo_png = raw.logo.as_deref().map(|l| read("logo", l)).transpose()?;
        if let Some(bytes) = &logo_png {
            let mut warnings = Vec::new();
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n")
                || printpdf::RawImage::decode_from_bytes(bytes, &mut warnings).is_err()
            {
                return Err(err("logo: not a readable PNG image".into()));
            }
        }
        let fallback_fonts = raw
            .fonts
            .fallback
            .iter()
            .enumerate()
            .map(|(i, f)| read(&format!("[fonts] fallback[{i}]"), f))
            .collect::<Result<Vec<_>, _>>()?;
        let internal_detail = match raw.evidence_detail.as_deref() {
            None | Some("customer") => false,
            Some("internal") => true,
            Some(other) => {
                return Err(err(format!(
                    "evidence_detail: expected customer or internal, found {}",
                    crate::common::quote(other)
                )));
            }
        };
        Ok(Template {
            internal_detail,
            provider_name: raw.provider_name,
            page_size,
            colors,
            titles: raw.titles,
            text: raw.text,
            logo_png,
            regular_font: read("[fonts] regular", &raw.fonts.regular)?,
            bold_font: read("[fonts] bold", &raw.fonts.bold)?,
            fallback_fonts,
            digest: crate::common::sha256_hex(text.as_bytes()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded `report-templates/` written out; `t` is its default template.
    fn copy_default() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        crate::assets::write_all(crate::assets::TEMPLATES, tmp.path()).unwrap();
        std::fs::rename(tmp.path().join("default"), tmp.path().join("t")).unwrap();
        tmp
    }

    fn edit(tmp: &tempfile::TempDir, from: &str, to: &str) -> String {
        let p = tmp.path().join("t/template.toml");
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        match Template::load(&tmp.path().join("t")) {
            Ok(_) => panic!("the edit {from:?} -> {to:?} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn evidence_detail_is_customer_by_default_internal_on_request() {
        assert!(!Template::embedded_default().internal_detail);
        let tmp = copy_default();
        let p = tmp.path().join("t/template.toml");
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, format!("evidence_detail = \"internal\"\n{text}")).unwrap();
        assert!(Template::load(&tmp.path().join("t")).unwrap().internal_detail);
        std::fs::write(&p, format!("evidence_detail = \"all\"\n{text}")).unwrap();
        let e = Template::load(&tmp.path().join("t")).unwrap_err().to_string();
        assert!(e.contains("evidence_detail: expected customer or internal, found \"all\""), "{e}");
    }

    #[test]
    fn the_default_template_loads() {
        let t = Template::embedded_default();
        assert_eq!(t.page_size, PageSize::A4);
        assert!(t.logo_png.is_some() && !t.fallback_fonts.is_empty());
        assert_eq!(t.colors.primary, Rgb(31.0 / 255.0, 58.0 / 255.0, 95.0 / 255.0));
        // Written out, it loads from its directory with the same digest and bytes.
        let tmp = copy_default();
        let d = Template::load(&tmp.path().join("t")).unwrap();
        assert_eq!(d.digest, t.digest);
        assert_eq!(t.digest, crate::common::sha256_hex(include_bytes!("../../report-templates/default/template.toml")));
        assert!(d.regular_font == t.regular_font && d.bold_font == t.bold_font && d.logo_png == t.logo_png);
        assert_eq!(d.fallback_fonts, t.fallback_fonts);
    }

    #[test]
    fn errors_name_the_file_and_key() {
        let tmp = copy_default();
        let e = edit(&tmp, "primary = \"#1F3A5F\"", "primary = \"navy\"");
        assert!(e.ends_with("template.toml: [colors] primary: expected a colour like #1F3A5F, found \"navy\""), "{e}");
        let tmp = copy_default();
        let e = edit(&tmp, "least {notice_hours} hours", "least {notice} hours");
        assert!(e.contains("[text] definitions: unknown placeholder {notice}"), "{e}");
        let tmp = copy_default();
        let e = edit(&tmp, "page_size = \"A4\"", "page_size = \"A3\"");
        assert!(e.ends_with("page_size: expected A4 or Letter, found \"A3\""), "{e}");
        let tmp = copy_default();
        let e = edit(&tmp, "logo = \"logo.png\"", "logo = \"nope.png\"");
        assert!(e.contains("logo: cannot read"), "{e}");
        std::fs::write(tmp.path().join("t/logo.png"), b"GIF89a not a png").unwrap();
        let e = edit(&tmp, "logo = \"nope.png\"", "logo = \"logo.png\"");
        assert!(e.contains("logo: not a readable PNG image"), "{e}");
        let tmp = copy_default();
        let e = edit(&tmp, "provider_name =", "provider =");
        assert!(e.contains("line 7: unknown field `provider`"), "{e}");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(" {tier} at {target_percent} % ", &[("tier", "gold".into()), ("target_percent", "99.99".into())]),
            "gold at 99.99 %"
        );
    }
}
