//! What stands behind a second of downtime and why it counts or not, as typed values:
//! the core decides, `render::words` puts them into words (for evidence.csv, `explain`,
//! the PDFs, and the customer's own wording of a source).

use rust_decimal::Decimal;

use super::checks::Pair;
use super::interval::Instant;
use super::model::{Category, Impact, SourceRef};

/// What saw or declared a stretch of downtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A quorum-down interval of a pair's checks.
    Checks {
        pair: Pair,
        /// How many of the pair's locations were down; `None` when a reduced file does not
        /// give the number of locations.
        locations: Option<LocationsDown>,
        /// The reduced row it came from (file and line); `None` when reduced from checks here.
        reduced_in: Option<SourceRef>,
    },
    /// An outage row (file and line, or a native source's place).
    Outage(SourceRef),
    /// An incident of impact major or partial.
    Incident { id: String, category: Category, impact: Impact },
    /// Time without monitoring data of a pair, counted as down (`gaps = down`).
    NoData(Pair),
}

/// The locations of a pair down at some point of an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocationsDown {
    /// The locations down, by name.
    pub(crate) names: Vec<String>,
    /// The pair's number of locations.
    pub(crate) of: usize,
}

/// Why a stretch of an evidence row counts, does not count, or is excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reason {
    /// Full downtime that counts.
    FullDowntime,
    /// Partial downtime, counted at the tier's partial weight.
    PartialAtWeight(Decimal),
    /// Full downtime shorter than the tier's `min_downtime_seconds`: not counted.
    TooShort { min_downtime_seconds: i64, tier: String },
    /// Inside the window of an incident the tier excludes.
    Excluded(Exclusion),
    /// Touches an incident whose category could be excluded, yet is counted.
    NotExcluded(NoExclusion),
    /// Touches an incident still open, counted until `until`.
    StillOpen { incident: String, until: Instant, by: OpenUntil },
    /// Starts right where the window of an excluding incident ended: the overrun counts.
    Overrun { category: Category, incident: String, window_end: Instant },
}

/// Where an open incident stops being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenUntil {
    /// The end of the eligible window ("now" lies after it).
    EligibleEnd,
    /// "Now": the report time.
    ReportTime,
}

/// An incident the tier excludes: its category is excluded and, for a planned
/// maintenance, it was announced early enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exclusion {
    pub(crate) category: Category,
    pub(crate) incident: String,
    /// The notice of a planned maintenance; `None` for any other category.
    pub(crate) notice: Option<Notice>,
}

/// An incident of a category other than `unplanned` that excludes nothing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoExclusion {
    pub(crate) category: Category,
    pub(crate) incident: String,
    pub(crate) why: Counted,
}

/// Why an incident that could exclude time is counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Counted {
    /// The tier does not exclude its category.
    CategoryNotExcluded { tier: String },
    /// A planned maintenance never announced.
    NotAnnounced { required_seconds: i64 },
    /// A planned maintenance announced too late.
    ShortNotice(Notice),
}

/// The notice a planned maintenance was given against the notice the tier requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Notice {
    /// Seconds from the announcement to the start; negative when announced after it.
    pub(crate) given_seconds: i64,
    pub(crate) required_seconds: i64,
}

/// How the tier treats an applicable incident as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Treatment {
    Excluded(Exclusion),
    NotExcluded(NoExclusion),
    /// Impact major: full downtime.
    FullDowntime,
    /// Impact partial, counted at the tier's (non-zero) weight.
    PartialAtWeight(Decimal),
    /// Impact partial with a partial weight of 0.
    PartialNotCounted,
    /// Impact degraded or none.
    NotDowntime(Impact),
}
