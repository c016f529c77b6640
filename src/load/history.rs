//! Earlier months' results, read back from the history's results files for the 12-month
//! trend of the customer reports, and every run's results as one CSV.

/// One customer's reported figures of a month, as stored in a results file: the raw
/// customer id, the uptime as printed, and whether the target was met.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ReportedPoint {
    pub(crate) customer_id: String,
    pub(crate) uptime_percent: String,
    pub(crate) met: bool,
}

/// The points of `month` in a results file (`history/results/<run>.parquet`).
pub(crate) fn results_points(path: &std::path::Path, month: &str) -> Result<Vec<ReportedPoint>, String> {
    use polars::prelude::*;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let columns = Some(vec!["month".into(), "customer_id".into(), "uptime_percent".into(), "met".into()]);
    let df = super::table::quiet_catch(|| {
        ParquetReader::new(file).with_columns(columns).finish().map_err(|e| e.to_string())
    })
    .map_err(|e| format!("{}: cannot read Parquet: {e}", path.display()))?;
    let text = |name: &str| -> Result<StringChunked, String> {
        df.column(name).and_then(|c| c.str().cloned()).map_err(|e| format!("{}: {name}: {e}", path.display()))
    };
    let (months, ids, uptimes) = (text("month")?, text("customer_id")?, text("uptime_percent")?);
    let met = df.column("met").and_then(|c| c.bool().cloned()).map_err(|e| format!("{}: met: {e}", path.display()))?;
    let mut out = Vec::new();
    for k in 0..df.height() {
        if months.get(k) == Some(month) {
            out.push(ReportedPoint {
                customer_id: ids.get(k).unwrap_or_default().to_string(),
                uptime_percent: uptimes.get(k).unwrap_or_default().to_string(),
                met: met.get(k).unwrap_or(false),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// Every results Parquet file of a history, concatenated as one CSV (columns as stored).
pub(crate) fn results_csv(files: &[std::path::PathBuf]) -> Result<Vec<u8>, String> {
    use polars::prelude::*;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut header_written = false;
    for path in files {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let df = super::table::quiet_catch(|| ParquetReader::new(file).finish().map_err(|e| e.to_string()))
            .map_err(|e| format!("{}: cannot read Parquet: {e}", path.display()))?;
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
                .map(|c| c.str().ok().and_then(|s| s.get(row)).map(crate::common::neutralise).unwrap_or_default())
                .collect();
            w.write_record(&rec).map_err(|e| e.to_string())?;
        }
    }
    w.into_inner().map_err(|e| e.to_string())
}
