//! The per-customer-period results of a run as Parquet, for auditors' own tools (the
//! `month` column holds the period's label: `2026-10`, `2026-Q3`, ...). Exact
//! figures are stored as decimal strings (never floats); counts and seconds as integers.

use polars::prelude::*;

use crate::core::numbers::plain;
use crate::core::sla::CustomerPeriod;

pub(crate) fn results_parquet(run_id: &str, recorded_at: &str, rows: &[&CustomerPeriod], decimals: u32) -> Vec<u8> {
    let s = |f: &dyn Fn(&CustomerPeriod) -> String| rows.iter().map(|r| f(r)).collect::<Vec<String>>();
    let i = |f: &dyn Fn(&CustomerPeriod) -> i64| rows.iter().map(|r| f(r)).collect::<Vec<i64>>();
    let mut df = df!(
        "run_id" => vec![run_id.to_string(); rows.len()],
        "recorded_at" => vec![recorded_at.to_string(); rows.len()],
        "month" => s(&|r| r.period.to_string()),
        "customer_id" => s(&|r| r.customer_id.clone()),
        "customer_name" => s(&|r| r.customer_name.clone()),
        "tier" => s(&|r| r.tier.clone()),
        "eligible_seconds" => i(&|r| r.eligible.len()),
        "downtime_seconds" => s(&|r| plain(r.downtime_seconds)),
        "excluded_seconds" => i(&|r| r.excluded_seconds),
        "uptime_percent" => s(&|r| r.uptime.truncate(decimals).to_string()),
        "target_percent" => s(&|r| plain(r.target_percent)),
        "met" => rows.iter().map(|r| r.met).collect::<Vec<bool>>(),
        "credit_percent" => s(&|r| r.credit_percent.map(plain).unwrap_or_default()),
        "fee" => s(&|r| r.fee.map(|f| f.to_string()).unwrap_or_default()),
        "credit_amount" => s(&|r| r.credit_amount.map(|c| c.to_string()).unwrap_or_default()),
        "currency" => s(&|r| r.currency.clone()),
    )
    .expect("columns of equal length");
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df).expect("writing Parquet to memory");
    out
}
