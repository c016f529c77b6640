//! Sorting checks that do not arrive in time order, in bounded memory: rows are gathered
//! into runs of at most [`RUN_ROWS`], each run is sorted and written to an anonymous
//! temporary file (16 bytes a row), and the runs are merged.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

use crate::core::checks::{Check, Status};

/// Rows sorted in memory at once: 64 MiB of checks.
pub(crate) const RUN_ROWS: usize = 4 << 20;

const RECORD: usize = 16;

#[derive(Debug)]
pub(crate) struct ExternalSort {
    run: Vec<Check>,
    runs: Vec<std::fs::File>,
    run_rows: usize,
}

impl Default for ExternalSort {
    fn default() -> Self {
        ExternalSort::with_run_rows(super::table::batch_size(RUN_ROWS, "SLAREPORT_TEST_SORT_RUN_ROWS"))
    }
}

fn encode(c: &Check) -> [u8; RECORD] {
    let mut b = [0u8; RECORD];
    b[..8].copy_from_slice(&c.at.to_le_bytes());
    b[8..12].copy_from_slice(&c.series.to_le_bytes());
    b[12] = match c.status {
        Status::Up => 0,
        Status::Down => 1,
        Status::Unknown => 2,
    };
    b
}

fn decode(b: &[u8; RECORD]) -> Check {
    let at = i64::from_le_bytes(b[..8].try_into().expect("8 bytes"));
    let series = u32::from_le_bytes(b[8..12].try_into().expect("4 bytes"));
    let status = match b[12] {
        0 => Status::Up,
        1 => Status::Down,
        _ => Status::Unknown,
    };
    Check { series, at, status }
}

impl ExternalSort {
    pub(crate) fn with_run_rows(run_rows: usize) -> ExternalSort {
        ExternalSort { run: Vec::new(), runs: Vec::new(), run_rows: run_rows.max(1) }
    }

    pub(crate) fn push(&mut self, c: Check) -> std::io::Result<()> {
        self.run.push(c);
        if self.run.len() >= self.run_rows {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> std::io::Result<()> {
        self.run.sort_unstable();
        let mut file = tempfile::tempfile()?;
        {
            let mut w = BufWriter::with_capacity(1 << 16, &mut file);
            for c in &self.run {
                w.write_all(&encode(c))?;
            }
            w.flush()?;
        }
        file.rewind()?;
        self.runs.push(file);
        self.run.clear();
        Ok(())
    }

    /// Every row, by series then time, to `each`.
    pub(crate) fn finish(mut self, mut each: impl FnMut(Check)) -> std::io::Result<()> {
        if self.runs.is_empty() {
            self.run.sort_unstable();
            self.run.iter().for_each(|c| each(*c));
            return Ok(());
        }
        if !self.run.is_empty() {
            self.spill()?;
        }
        let mut readers: Vec<BufReader<std::fs::File>> =
            self.runs.into_iter().map(|f| BufReader::with_capacity(1 << 16, f)).collect();
        let next = |r: &mut BufReader<std::fs::File>| -> std::io::Result<Option<Check>> {
            let mut b = [0u8; RECORD];
            match r.read_exact(&mut b) {
                Ok(()) => Ok(Some(decode(&b))),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(e),
            }
        };
        let mut heap = BinaryHeap::new();
        for (k, r) in readers.iter_mut().enumerate() {
            if let Some(c) = next(r)? {
                heap.push(Reverse((c, k)));
            }
        }
        while let Some(Reverse((c, k))) = heap.pop() {
            each(c);
            if let Some(n) = next(&mut readers[k])? {
                heap.push(Reverse((n, k)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn merged_runs_equal_one_sort(
            rows in prop::collection::vec((0u32..4, -50i64..50, 0u8..3), 0..200),
            run_rows in 1usize..40,
        ) {
            let checks: Vec<Check> = rows
                .iter()
                .map(|&(series, at, s)| Check { series, at, status: [Status::Up, Status::Down, Status::Unknown][s as usize] })
                .collect();
            let mut sort = ExternalSort::with_run_rows(run_rows);
            for c in &checks {
                sort.push(*c).unwrap();
            }
            let mut out = Vec::new();
            sort.finish(|c| out.push(c)).unwrap();
            let mut expected = checks.clone();
            expected.sort_unstable();
            prop_assert_eq!(out, expected);
        }
    }
}
