//! `slareport validate`: reads everything a run would read, lists every problem (not
//! only the first) as `file:line:col: what is wrong`, then data-quality warnings.
//! Exit 0 when clean, 1 with warnings only, 4 with problems. Writes nothing.

use clap::Args;
use rust_decimal::Decimal;

use super::Outcome;
use super::run::{InputArgs, asked_months, asked_periods, config_or_sample, periods_to_report};
use crate::config::Config;
use crate::core::checks::with_outages;
use crate::core::interval::Instant;
use crate::core::period::Period;
use crate::core::quality;
use crate::core::time::format_utc;
use crate::load::load_inputs_collecting;
use crate::pipeline::{Prepared, RunError};
use crate::render::pdf::FontSet;
use crate::render::template::Template;
use crate::render::view::{duration, group_thousands};

pub(crate) use crate::error::PROBLEMS;
pub(crate) use crate::error::WARNINGS_ONLY;
/// At most this many problems are listed.
const MAX_LISTED: usize = 500;

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 clean, 1 warnings only, 4 problems (a run would fail).\n\nExamples:\n  slareport validate --config sla.toml\n  slareport validate --config sla.toml --month 2026-10"
)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub(crate) inputs: InputArgs,
    /// Print the problems and warnings as one JSON object (see README "JSON output")
    /// instead of text; the exit status is the same.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn validate(args: ValidateArgs, clock_now: Instant) -> Result<Outcome, RunError> {
    let json = args.json;
    let args = args.inputs;
    let config_path = config_or_sample(args.config.clone())?;
    let config_name = if config_path.as_os_str() == "-" {
        crate::config::STDIN_NAME.to_string()
    } else {
        config_path.display().to_string()
    };
    asked_months(&args)?;
    let config = match Config::load(&config_path) {
        Ok(c) => c,
        Err(e) => return Ok(report(&config_name, vec![e.to_string()], Vec::new(), json)),
    };
    let asked = asked_periods(&args, &config, clock_now)?;
    let mut problems = Vec::new();
    let template = match Template::for_config(config.template.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            problems.push(e.to_string());
            Template::embedded_default()
        }
    };
    let fonts = FontSet::load(&template)
        .map_err(|message| crate::render::template::TemplateError { file: "template fonts".into(), message })?;
    let now = args.as_of.unwrap_or(clock_now);
    let (mut inputs, input_problems) = load_inputs_collecting(&config, now);
    problems.extend(input_problems.into_iter().map(|e| e.to_string()));
    let pairs = with_outages(std::mem::take(&mut inputs.reduced), &inputs.outages);
    let prepared = Prepared { config, inputs, pairs, now, as_of: args.as_of, template, fonts };
    let (months, mut warnings) = periods_to_report(&prepared, asked).unwrap_or_else(|| {
        (Vec::new(), vec!["the inputs hold no timestamps: nothing to report without --month or --period".to_string()])
    });
    warnings.extend(quality_warnings(&prepared, &months));
    Ok(report(&config_name, problems, warnings, json))
}

/// The data-quality warnings of the inputs over `months` (the reported periods).
fn quality_warnings(p: &Prepared, months: &[Period]) -> Vec<String> {
    let mut w = Vec::new();
    if months.is_empty() {
        return w;
    }
    let span = format!(
        "{}{}",
        months[0],
        if months.len() > 1 { format!(" to {}", months[months.len() - 1]) } else { String::new() }
    );
    for m in months {
        let result = p.compute(m);
        w.extend(result.warnings.iter().map(|x| format!("{m}: {x}")));
    }
    let window = p.window(months);
    let secs = |s: i64| duration(Decimal::from(s));
    for g in quality::monitoring_gaps(&p.pairs, &window) {
        w.push(format!(
            "monitoring gap: {} has no monitoring data for {} in {} gap(s) in {span}; the longest {} from {} to {}",
            g.pair,
            secs(g.total_seconds),
            g.count,
            secs(g.longest.len()),
            format_utc(g.longest.start),
            format_utc(g.longest.end)
        ));
    }
    w.extend(irregular_checks(p));
    for i in quality::open_incidents(&p.inputs.incidents, &window, p.now) {
        w.push(format!(
            "open incident: {} ({}) started {} and has no end: it counts until {}",
            i.id,
            i.category.as_str(),
            format_utc(i.start),
            format_utc(p.now.max(i.start))
        ));
    }
    for n in quality::unmonitored_names(&p.inputs.series, &p.inputs.outages, &p.inputs.customers, &p.inputs.incidents) {
        w.push(format!(
            "unmonitored name: {} names {} {:?}, which no check or outage measures",
            n.owner, n.column, n.value
        ));
    }
    for (a, b) in quality::overlapping_maintenance(&p.inputs.incidents, p.now) {
        w.push(format!("overlapping maintenance: planned maintenance windows {a} and {b} overlap"));
    }
    for (f, used) in p.usage(months) {
        if f.role == "checks" && used < f.rows {
            w.push(format!(
                "checks outside the months: {}: {} of its {} rows lie outside {span}",
                f.name,
                group_thousands(&(f.rows - used).to_string()),
                group_thousands(&f.rows.to_string())
            ));
        }
    }
    w
}

/// The warnings of series checked less often than `max_gap_seconds`, or at irregular
/// intervals.
fn irregular_checks(p: &Prepared) -> Vec<String> {
    let secs = |s: i64| duration(Decimal::from(s));
    let max_gap = p.config.monitoring.max_gap_seconds;
    let irregular = quality::irregular_series(&p.inputs.series, &p.inputs.modes, &p.inputs.spacings, max_gap);
    irregular
        .into_iter()
        .map(|s| {
            if s.sparser_than_max_gap {
                format!(
                    "irregular checks: {} is checked every {} typically, longer than [monitoring] max_gap_seconds = {}: most of the time between its checks counts as no data",
                    s.series,
                    secs(s.typical_seconds),
                    max_gap
                )
            } else {
                format!(
                    "irregular checks: {} is checked every {} typically, but {} of {} intervals between its checks are over twice that (the longest {})",
                    s.series,
                    secs(s.typical_seconds),
                    group_thousands(&s.late.to_string()),
                    group_thousands(&s.intervals.to_string()),
                    secs(s.longest_seconds)
                )
            }
        })
        .collect()
}

/// The exit status of `validate`: problems, else warnings, else clean.
fn status(problems: &[String], warnings: &[String]) -> i32 {
    if !problems.is_empty() {
        PROBLEMS
    } else if !warnings.is_empty() {
        WARNINGS_ONLY
    } else {
        0
    }
}

/// `validate --json`: the same findings as one object.
fn report_json(config: &str, problems: &[String], warnings: &[String]) -> Outcome {
    let code = status(problems, warnings);
    let value = serde_json::json!({
        "config": config,
        "status": match code { 0 => "clean", WARNINGS_ONLY => "warnings", _ => "problems" },
        "problem_count": problems.len(),
        "problems": problems.iter().take(MAX_LISTED).collect::<Vec<_>>(),
        "warnings": warnings,
    });
    super::json_outcome(value, code)
}

fn report(config: &str, problems: Vec<String>, warnings: Vec<String>, json: bool) -> Outcome {
    if json {
        return report_json(config, &problems, &warnings);
    }
    let mut text = format!("Validated {config}\n");
    if !problems.is_empty() {
        text.push_str(&format!("problems ({}):\n", problems.len()));
        for p in problems.iter().take(MAX_LISTED) {
            text.push_str(&format!("  {p}\n"));
        }
        if problems.len() > MAX_LISTED {
            text.push_str(&format!("  ... and {} more\n", problems.len() - MAX_LISTED));
        }
    }
    if !warnings.is_empty() {
        text.push_str(&format!("warnings ({}):\n", warnings.len()));
        for w in &warnings {
            text.push_str(&format!("  {w}\n"));
        }
    }
    let code = status(&problems, &warnings);
    text.push_str(&format!(
        "{}: {} problem(s), {} warning(s)\n",
        match code {
            0 => "clean",
            WARNINGS_ONLY => "usable, with warnings",
            _ => "a run would fail",
        },
        problems.len(),
        warnings.len()
    ));
    Outcome { text, code, data: None, warnings: Vec::new() }
}
