//! The domain types the core computes on: customers, incidents, outages, tier rules.
//! Built by the loaders and the config reader; never read from files here.

use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

use super::interval::{Instant, Interval};

/// Where a value came from, for evidence and error messages: `file:line`.
pub(crate) type SourceRef = String;

/// A scope list from an input cell: `*` (all) or named values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    List(Vec<String>),
}

impl Scope {
    /// Parses `a;b;c` or `*`. An empty cell is the empty list (matches nothing).
    pub(crate) fn parse(cell: &str) -> Scope {
        let items: Vec<String> = cell.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if items.iter().any(|s| s == "*") { Scope::All } else { Scope::List(items) }
    }

    pub(crate) fn contains(&self, value: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::List(items) => items.iter().any(|s| s == value),
        }
    }

    /// Whether two scopes share at least one value.
    pub(crate) fn meets(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::All, Scope::All) => true,
            (Scope::All, Scope::List(l)) | (Scope::List(l), Scope::All) => !l.is_empty(),
            (Scope::List(a), Scope::List(_)) => a.iter().any(|v| other.contains(v)),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("*"),
            Scope::List(items) => f.write_str(&items.join(";")),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) tier: String,
    pub(crate) services: Scope,
    pub(crate) regions: Scope,
    /// Contract start (inclusive) and end (exclusive); `None` = unbounded.
    pub(crate) contract_start: Option<Instant>,
    pub(crate) contract_end: Option<Instant>,
    pub(crate) monthly_fee: Decimal,
    pub(crate) currency: String,
    pub(crate) timezone: Tz,
    pub(crate) target_override: Option<Decimal>,
    /// Per-customer recovery time objective in minutes (overrides the tier's).
    pub(crate) rto_override: Option<Decimal>,
    /// Per-customer recovery point objective in minutes (overrides the tier's).
    pub(crate) rpo_override: Option<Decimal>,
}

impl Customer {
    pub(crate) fn contract(&self) -> Interval {
        Interval::new(self.contract_start.unwrap_or(i64::MIN), self.contract_end.unwrap_or(i64::MAX))
    }
}

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum $name { $($variant),+ }

        impl $name {
            pub(crate) fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The accepted spellings, for error messages.
            pub(crate) fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Incident categories (docs/CONTRACT.md §2).
    Category {
        Unplanned = "unplanned",
        PlannedMaintenance = "planned_maintenance",
        EmergencyMaintenance = "emergency_maintenance",
        ForceMajeure = "force_majeure",
        CustomerCaused = "customer_caused",
        ThirdParty = "third_party",
    }
);

text_enum!(
    /// Incident impact levels (docs/CONTRACT.md §2).
    Impact { Major = "major", Partial = "partial", Degraded = "degraded", None = "none" }
);

text_enum!(
    /// How many probe locations must see a (service, region) down (docs/CONTRACT.md §3).
    Quorum { Majority = "majority", Any = "any", All = "all" }
);

text_enum!(
    /// What time without monitoring data counts as (docs/CONTRACT.md §4).
    GapPolicy { Up = "up", Down = "down" }
);

impl Quorum {
    /// Whether `down` of `with_data` locations is down at this quorum.
    pub(crate) fn is_down(self, down: usize, with_data: usize) -> bool {
        match self {
            Quorum::Majority => down * 2 > with_data,
            Quorum::Any => down >= 1,
            Quorum::All => with_data > 0 && down == with_data,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) category: Category,
    pub(crate) impact: Impact,
    pub(crate) start: Instant,
    /// `None` = still open.
    pub(crate) end: Option<Instant>,
    pub(crate) services: Scope,
    pub(crate) regions: Scope,
    pub(crate) customers: Scope,
    pub(crate) announced_at: Option<Instant>,
    pub(crate) data_loss_minutes: Option<Decimal>,
}

impl Incident {
    /// Whether the incident touches this customer (docs/CONTRACT.md §2).
    pub(crate) fn applies_to(&self, c: &Customer) -> bool {
        self.services.meets(&c.services) && self.regions.meets(&c.regions) && self.customers.contains(&c.id)
    }

    /// The incident's interval; an open incident runs until `now`.
    pub(crate) fn interval(&self, now: Instant) -> Interval {
        Interval::new(self.start, self.end.unwrap_or(now.max(self.start)))
    }
}

/// One row of the outages input.
#[derive(Debug, Clone)]
pub(crate) struct Outage {
    pub(crate) service: String,
    pub(crate) region: String,
    pub(crate) interval: Interval,
    pub(crate) source: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CreditBand {
    pub(crate) below_percent: Decimal,
    pub(crate) credit_percent: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRules {
    pub(crate) name: String,
    pub(crate) target_percent: Decimal,
    /// Required notice for planned maintenance, in seconds.
    pub(crate) maintenance_notice_seconds: i64,
    pub(crate) excluded_categories: Vec<Category>,
    pub(crate) min_downtime_seconds: i64,
    pub(crate) partial_weight: Decimal,
    pub(crate) exclusions_in_denominator: bool,
    pub(crate) prorate_fee: bool,
    pub(crate) credit_cap_percent: Decimal,
    pub(crate) credits: Vec<CreditBand>,
    /// Recovery time objective in minutes for major incidents (`None`: none applies).
    pub(crate) rto_minutes: Option<Decimal>,
    /// Recovery point objective in minutes: the data loss allowed (`None`: none applies).
    pub(crate) rpo_minutes: Option<Decimal>,
    /// Credit percent added to a calendar month's uptime credit (under the cap) when an
    /// RTO or RPO was missed in it.
    pub(crate) recovery_credit_percent: Decimal,
}

impl TierRules {
    pub(crate) const DEFAULT_EXCLUDED: [Category; 4] =
        [Category::PlannedMaintenance, Category::ForceMajeure, Category::CustomerCaused, Category::ThirdParty];

    pub(crate) fn excludes(&self, c: Category) -> bool {
        self.excluded_categories.contains(&c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonitoringRules {
    pub(crate) max_gap_seconds: i64,
    pub(crate) confirm_checks: u32,
    pub(crate) quorum: Quorum,
    pub(crate) gaps: GapPolicy,
}

impl Default for MonitoringRules {
    fn default() -> Self {
        MonitoringRules { max_gap_seconds: 300, confirm_checks: 1, quorum: Quorum::Majority, gaps: GapPolicy::Up }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_meet() {
        let all = Scope::parse("*");
        let ab = Scope::parse("a; b");
        let c = Scope::parse("c");
        let none = Scope::parse("");
        assert!(all.meets(&ab) && ab.meets(&all) && all.meets(&all));
        assert!(ab.meets(&Scope::parse("b;z")));
        assert!(!ab.meets(&c));
        assert!(!none.meets(&all) && !all.meets(&none));
        assert_eq!(ab.to_string(), "a;b");
    }

    #[test]
    fn quorum_rules() {
        assert!(Quorum::Majority.is_down(2, 3) && !Quorum::Majority.is_down(1, 2) && Quorum::Majority.is_down(1, 1));
        assert!(Quorum::Any.is_down(1, 5) && !Quorum::Any.is_down(0, 5));
        assert!(Quorum::All.is_down(3, 3) && !Quorum::All.is_down(2, 3) && !Quorum::All.is_down(0, 0));
    }

    #[test]
    fn enums_parse_case_insensitively() {
        assert_eq!("Planned_Maintenance".parse::<Category>(), Ok(Category::PlannedMaintenance));
        assert!("outage".parse::<Category>().is_err());
        assert_eq!(Impact::expected(), "major, partial, degraded, none");
    }
}
