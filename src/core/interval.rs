//! Half-open time intervals `[start, end)` in whole seconds since the Unix epoch,
//! and normalized sets of them.
//!
//! Invariant: an [`IntervalSet`] is always sorted, its intervals are non-empty, disjoint
//! and non-adjacent (touching intervals are merged). Every operation is a linear merge
//! of two sorted lists, so costs are O(n + m), never quadratic.

/// Seconds since the Unix epoch, UTC.
pub(crate) type Instant = i64;

/// A half-open interval `[start, end)`; empty when `end <= start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Interval {
    pub(crate) start: Instant,
    pub(crate) end: Instant,
}

impl Interval {
    pub(crate) fn new(start: Instant, end: Instant) -> Self {
        Interval { start, end }
    }

    pub(crate) fn len(&self) -> i64 {
        (self.end - self.start).max(0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub(crate) fn intersect(&self, other: &Interval) -> Interval {
        Interval::new(self.start.max(other.start), self.end.min(other.end))
    }

    pub(crate) fn overlaps(&self, other: &Interval) -> bool {
        !self.intersect(other).is_empty()
    }
}

/// A normalized set of disjoint, non-adjacent, sorted, non-empty intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IntervalSet {
    spans: Vec<Interval>,
}

impl IntervalSet {
    pub(crate) fn empty() -> Self {
        IntervalSet { spans: Vec::new() }
    }

    pub(crate) fn single(iv: Interval) -> Self {
        let mut s = IntervalSet::empty();
        if !iv.is_empty() {
            s.spans.push(iv);
        }
        s
    }

    /// Builds a set from intervals in any order, overlapping or not.
    pub(crate) fn from_intervals(mut ivs: Vec<Interval>) -> Self {
        ivs.retain(|iv| !iv.is_empty());
        ivs.sort_unstable();
        Self::from_sorted(ivs)
    }

    /// Builds a set from intervals sorted by start (overlaps allowed).
    pub(crate) fn from_sorted(ivs: impl IntoIterator<Item = Interval>) -> Self {
        let mut spans: Vec<Interval> = Vec::new();
        for iv in ivs {
            if iv.is_empty() {
                continue;
            }
            match spans.last_mut() {
                Some(last) if iv.start <= last.end => {
                    debug_assert!(iv.start >= last.start, "from_sorted needs sorted input");
                    last.end = last.end.max(iv.end);
                }
                _ => spans.push(iv),
            }
        }
        IntervalSet { spans }
    }

    /// Adds an interval that starts at or after the start of every interval already in
    /// the set (the order in which a series is reduced), merging it with the last when
    /// they overlap or touch. Empty intervals are ignored.
    pub(crate) fn push_sorted(&mut self, iv: Interval) {
        if iv.is_empty() {
            return;
        }
        match self.spans.last_mut() {
            Some(last) if iv.start <= last.end => {
                debug_assert!(iv.start >= last.start, "push_sorted needs sorted input");
                last.end = last.end.max(iv.end);
            }
            _ => self.spans.push(iv),
        }
    }

    /// Whether `iv` lies inside one interval of the set.
    pub(crate) fn contains(&self, iv: &Interval) -> bool {
        let i = self.spans.partition_point(|s| s.end < iv.end);
        self.spans.get(i).is_some_and(|s| s.start <= iv.start && iv.end <= s.end)
    }

    pub(crate) fn intervals(&self) -> &[Interval] {
        &self.spans
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Total number of seconds in the set.
    pub(crate) fn measure(&self) -> i64 {
        self.spans.iter().map(Interval::len).sum()
    }

    pub(crate) fn union(&self, other: &IntervalSet) -> IntervalSet {
        let mut merged = Vec::with_capacity(self.spans.len() + other.spans.len());
        let (mut i, mut j) = (0, 0);
        while i < self.spans.len() || j < other.spans.len() {
            let take_left = j >= other.spans.len() || (i < self.spans.len() && self.spans[i] <= other.spans[j]);
            if take_left {
                merged.push(self.spans[i]);
                i += 1;
            } else {
                merged.push(other.spans[j]);
                j += 1;
            }
        }
        Self::from_sorted(merged)
    }

    pub(crate) fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.spans.len() && j < other.spans.len() {
            let a = self.spans[i];
            let b = other.spans[j];
            let iv = a.intersect(&b);
            if !iv.is_empty() {
                out.push(iv);
            }
            if a.end < b.end {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { spans: out }
    }

    pub(crate) fn clip(&self, window: Interval) -> IntervalSet {
        self.intersect(&IntervalSet::single(window))
    }

    /// `self \ other`.
    pub(crate) fn subtract(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::new();
        let mut j = 0;
        for &a in &self.spans {
            let mut cur = a.start;
            while j < other.spans.len() && other.spans[j].end <= cur {
                j += 1;
            }
            let mut k = j;
            while k < other.spans.len() && other.spans[k].start < a.end {
                let b = other.spans[k];
                if b.start > cur {
                    out.push(Interval::new(cur, b.start));
                }
                cur = cur.max(b.end);
                if cur >= a.end {
                    break;
                }
                k += 1;
            }
            if cur < a.end {
                out.push(Interval::new(cur, a.end));
            }
        }
        IntervalSet { spans: out }
    }

    /// `window \ self`: the parts of `window` not in the set.
    pub(crate) fn complement_within(&self, window: Interval) -> IntervalSet {
        IntervalSet::single(window).subtract(self)
    }

    /// Keeps only the maximal intervals at least `min_len` seconds long.
    pub(crate) fn drop_shorter_than(&self, min_len: i64) -> (IntervalSet, IntervalSet) {
        let (keep, drop): (Vec<Interval>, Vec<Interval>) = self.spans.iter().partition(|iv| iv.len() >= min_len);
        (IntervalSet { spans: keep }, IntervalSet { spans: drop })
    }

    pub(crate) fn overlaps(&self, iv: &Interval) -> bool {
        if iv.is_empty() {
            return false;
        }
        // First span ending after iv.start, then check it starts before iv.end.
        let idx = self.spans.partition_point(|s| s.end <= iv.start);
        idx < self.spans.len() && self.spans[idx].start < iv.end
    }

    /// Union of many sets at once (k-way, via one sort).
    pub(crate) fn union_all<'a>(sets: impl IntoIterator<Item = &'a IntervalSet>) -> IntervalSet {
        let mut all: Vec<Interval> = sets.into_iter().flat_map(|s| s.spans.iter().copied()).collect();
        all.sort_unstable();
        Self::from_sorted(all)
    }
}

/// Sweep over several sets at once: for each elementary segment (where no set changes),
/// calls `f(segment, counts)` where `counts[k]` says whether set k contains the segment.
/// Used for quorum decisions across probe locations. Linear in the total number of
/// boundaries (times the number of sets per boundary, which is small).
pub(crate) fn sweep_count(sets: &[&IntervalSet], mut f: impl FnMut(Interval, &[bool])) {
    let mut events: Vec<(Instant, usize, bool)> = Vec::new();
    for (k, s) in sets.iter().enumerate() {
        for iv in s.intervals() {
            events.push((iv.start, k, true));
            events.push((iv.end, k, false));
        }
    }
    events.sort_unstable_by_key(|e| e.0);
    let mut inside = vec![false; sets.len()];
    let mut active = 0usize;
    let mut i = 0;
    while i < events.len() {
        let t = events[i].0;
        while i < events.len() && events[i].0 == t {
            let (_, k, on) = events[i];
            if inside[k] != on {
                inside[k] = on;
                if on {
                    active += 1;
                } else {
                    active -= 1;
                }
            }
            i += 1;
        }
        if active > 0 && i < events.len() {
            let next = events[i].0;
            f(Interval::new(t, next), &inside);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn seconds(s: &IntervalSet) -> BTreeSet<i64> {
        s.intervals().iter().flat_map(|iv| iv.start..iv.end).collect()
    }

    fn from_seconds(secs: &BTreeSet<i64>) -> IntervalSet {
        IntervalSet::from_intervals(secs.iter().map(|&t| Interval::new(t, t + 1)).collect())
    }

    fn arb_set() -> impl Strategy<Value = IntervalSet> {
        prop::collection::vec((0i64..200, 0i64..40), 0..12)
            .prop_map(|v| IntervalSet::from_intervals(v.into_iter().map(|(s, l)| Interval::new(s, s + l)).collect()))
    }

    fn is_normalized(s: &IntervalSet) -> bool {
        s.intervals().iter().all(|iv| !iv.is_empty()) && s.intervals().windows(2).all(|w| w[0].end < w[1].start)
    }

    proptest! {
        #[test]
        fn union_matches_per_second_model(a in arb_set(), b in arb_set()) {
            let u = a.union(&b);
            prop_assert!(is_normalized(&u));
            let expect: BTreeSet<i64> = seconds(&a).union(&seconds(&b)).copied().collect();
            prop_assert_eq!(seconds(&u), expect.clone());
            prop_assert_eq!(u.measure(), expect.len() as i64);
            prop_assert_eq!(u, from_seconds(&expect));
        }

        #[test]
        fn intersect_matches_per_second_model(a in arb_set(), b in arb_set()) {
            let x = a.intersect(&b);
            prop_assert!(is_normalized(&x));
            let expect: BTreeSet<i64> = seconds(&a).intersection(&seconds(&b)).copied().collect();
            prop_assert_eq!(x.measure(), expect.len() as i64);
            prop_assert_eq!(x, from_seconds(&expect));
        }

        #[test]
        fn subtract_matches_per_second_model(a in arb_set(), b in arb_set()) {
            let d = a.subtract(&b);
            prop_assert!(is_normalized(&d));
            let expect: BTreeSet<i64> = seconds(&a).difference(&seconds(&b)).copied().collect();
            prop_assert_eq!(d.measure(), expect.len() as i64);
            prop_assert_eq!(d, from_seconds(&expect));
        }

        #[test]
        fn from_intervals_normalizes(v in prop::collection::vec((0i64..200, -5i64..40), 0..12)) {
            let ivs: Vec<Interval> = v.iter().map(|&(s, l)| Interval::new(s, s + l)).collect();
            let set = IntervalSet::from_intervals(ivs.clone());
            prop_assert!(is_normalized(&set));
            let expect: BTreeSet<i64> = ivs.iter().flat_map(|iv| iv.start..iv.end).collect();
            prop_assert_eq!(seconds(&set), expect);
        }

        #[test]
        fn union_all_equals_pairwise_union(a in arb_set(), b in arb_set(), c in arb_set()) {
            prop_assert_eq!(IntervalSet::union_all([&a, &b, &c]), a.union(&b).union(&c));
        }

        #[test]
        fn complement_and_drop_partition(a in arb_set(), min in 0i64..30) {
            let w = Interval::new(20, 180);
            let c = a.complement_within(w);
            prop_assert_eq!(c.measure() + a.clip(w).measure(), w.len());
            prop_assert!(c.intersect(&a).is_empty());
            let (keep, drop) = a.drop_shorter_than(min);
            prop_assert_eq!(keep.union(&drop), a.clone());
            prop_assert!(keep.intervals().iter().all(|iv| iv.len() >= min));
            prop_assert!(drop.intervals().iter().all(|iv| iv.len() < min));
        }

        #[test]
        fn overlaps_matches_intersection(a in arb_set(), s in 0i64..220, l in 0i64..30) {
            let iv = Interval::new(s, s + l);
            prop_assert_eq!(a.overlaps(&iv), !a.clip(iv).is_empty());
        }

        #[test]
        fn sweep_counts_match_per_second(a in arb_set(), b in arb_set(), c in arb_set()) {
            let sets = [&a, &b, &c];
            let mut seen: Vec<(i64, Vec<bool>)> = Vec::new();
            sweep_count(&sets, |iv, inside| {
                for t in iv.start..iv.end { seen.push((t, inside.to_vec())); }
            });
            let all = IntervalSet::union_all(sets);
            prop_assert_eq!(seen.len() as i64, all.measure());
            for (t, inside) in seen {
                for (k, s) in sets.iter().enumerate() {
                    prop_assert_eq!(inside[k], seconds(s).contains(&t));
                }
            }
        }
    }

    #[test]
    fn adjacent_intervals_merge() {
        let s = IntervalSet::from_intervals(vec![Interval::new(0, 5), Interval::new(5, 9)]);
        assert_eq!(s.intervals(), &[Interval::new(0, 9)]);
    }
}
