//! The per-customer-month results of a run as Parquet, for auditors' own tools. Exact
//! figures are stored as decimal strings (never floats); counts and seconds as integers.

use polars::prelude::*;

use crate::core::numbers::plain;
use crate::core::sla::CustomerMonth;

pub fn results_parquet(run_id: &str, recorded_at: &str, rows: &[&CustomerMonth], decimals: u32) -> Vec<u8> {
    let s = |f: &dyn Fn(&CustomerMonth) -> String| rows.iter().map(|r| f(r)).collect::<Vec<String>>();
    let i = |f: &dyn Fn(&CustomerMonth) -> i64| rows.iter().map(|r| f(r)).collect::<Vec<i64>>();
    let mut df = df!(
        "run_id" => vec![run_id.to_string(); rows.len()],
        "recorded_at" => vec![recorded_at.to_string(); rows.len()],
        "month" => s(&|r| r.month.to_string()),
        "customer_id" => s(&|r| r.customer_id.clone()),
        "customer_name" => s(&|r| r.customer_name.clone()),
        "tier" => s(&|r| r.tier.clone()),
        "eligible_seconds" => i(&|r| r.eligible.len()),
        "downtime_seconds" => s(&|r| plain(r.downtime_seconds)),
        "excluded_seconds" => i(&|r| r.excluded_seconds),
        "uptime_percent" => s(&|r| r.uptime.truncate(decimals).to_string()),
        "target_percent" => s(&|r| plain(r.target_percent)),
        "met" => rows.iter().map(|r| r.met).collect::<Vec<bool>>(),
        "credit_percent" => s(&|r| plain(r.credit_percent)),
        "fee" => s(&|r| r.fee.to_string()),
        "credit_amount" => s(&|r| r.credit_amount.to_string()),
        "currency" => s(&|r| r.currency.clone()),
    )
    .expect("columns of equal length");
    let mut out = Vec::new();
    ParquetWriter::new(&mut out).finish(&mut df).expect("writing Parquet to memory");
    out
}
