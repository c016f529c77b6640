//! Earlier months' results, read back from `OUT/YYYY-MM/sla_monthly.csv` for the
//! 12-month trend of the customer reports.

use std::collections::BTreeMap;
use std::path::Path;

use crate::core::time::Month;
use crate::render::view::HistoryPoint;

/// Per customer id, the points of the 11 months before `month` found under `out`,
/// oldest first. Unreadable or foreign files are skipped: the trend is informative only.
pub fn earlier_months(out: &Path, month: Month) -> BTreeMap<String, Vec<HistoryPoint>> {
    let mut first = month;
    for _ in 0..11 {
        first = first.prev();
    }
    let mut by_customer: BTreeMap<String, Vec<HistoryPoint>> = BTreeMap::new();
    for m in first.through(month).into_iter().filter(|m| *m < month) {
        let Ok(mut rdr) = csv::Reader::from_path(out.join(m.to_string()).join("sla_monthly.csv")) else {
            continue;
        };
        let Ok(header) = rdr.headers().cloned() else {
            continue;
        };
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(id), Some(up), Some(met)) = (col("customer_id"), col("uptime_percent"), col("met")) else {
            continue;
        };
        for rec in rdr.records().flatten() {
            let (Some(i), Some(u), Some(m2)) = (rec.get(id), rec.get(up), rec.get(met)) else {
                continue;
            };
            by_customer.entry(i.to_string()).or_default().push(HistoryPoint {
                month: m,
                uptime_percent: u.to_string(),
                met: m2 == "true",
            });
        }
    }
    by_customer
}

/// Every results Parquet file of a history, concatenated as one CSV (columns as stored).
pub fn results_csv(files: &[std::path::PathBuf]) -> Result<Vec<u8>, String> {
    use polars::prelude::*;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut header_written = false;
    for path in files {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let df =
            ParquetReader::new(file).finish().map_err(|e| format!("{}: cannot read Parquet: {e}", path.display()))?;
        if !header_written {
            w.write_record(df.get_column_names().iter().map(|n| n.as_str())).map_err(|e| e.to_string())?;
            header_written = true;
        }
        let cols: Vec<Column> = df
            .columns()
            .iter()
            .map(|c| c.cast(&DataType::String))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        for row in 0..df.height() {
            let rec: Vec<String> = cols
                .iter()
                .map(|c| {
                    c.str().ok().and_then(|s| s.get(row)).map(crate::render::csv_files::neutralise).unwrap_or_default()
                })
                .collect();
            w.write_record(&rec).map_err(|e| e.to_string())?;
        }
    }
    w.into_inner().map_err(|e| e.to_string())
}
