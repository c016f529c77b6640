//! Exact percentages and money.
//!
//! An uptime is a fraction of whole seconds (possibly weighted by a decimal partial
//! weight), so it is kept as an exact rational [`Percent`]; comparisons with targets and
//! credit bands are exact, and display truncates (never rounds up). Money is
//! `rust_decimal::Decimal`, rounded half away from zero to the currency's minor unit.

use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

/// An exact non-negative percentage `num / den` (in percent units).
#[derive(Debug, Clone, Copy)]
pub struct Percent {
    num: i128,
    den: i128,
}

fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// A decimal as an integer mantissa and a power of ten: `m / 10^s`.
fn parts(d: Decimal) -> (i128, u32) {
    (d.mantissa(), d.scale())
}

impl Percent {
    /// `100 * part / whole`; 100% when `whole` is zero.
    pub(crate) fn of(part: Decimal, whole: Decimal) -> Percent {
        if whole.is_zero() {
            return Percent { num: 100, den: 1 };
        }
        let (pm, ps) = parts(part);
        let (wm, ws) = parts(whole);
        // part/whole = (pm / 10^ps) / (wm / 10^ws) = pm * 10^ws / (wm * 10^ps)
        let (mut num, mut den) = (100 * pm * pow10(ws), wm * pow10(ps));
        if den < 0 {
            num = -num;
            den = -den;
        }
        Percent::reduced(num, den)
    }

    /// The exact value compared with a decimal percentage.
    pub(crate) fn cmp_decimal(&self, d: Decimal) -> Ordering {
        let (m, s) = parts(d);
        (self.num * pow10(s)).cmp(&(m * self.den))
    }

    /// Truncated toward zero to `decimals` places (99.94999… → 99.9499 at 4).
    pub fn truncate(&self, decimals: u32) -> Decimal {
        let scaled = self.num * pow10(decimals) / self.den; // i128 division truncates toward zero
        Decimal::from_i128_with_scale(scaled, decimals)
    }

    /// The exact midpoint of two percentages (for medians).
    pub(crate) fn midpoint(&self, other: &Percent) -> Percent {
        Percent::reduced(self.num * other.den + other.num * self.den, 2 * self.den * other.den)
    }

    /// `num / den` in lowest terms, so later products stay small.
    fn reduced(num: i128, den: i128) -> Percent {
        let (mut a, mut b) = (num.unsigned_abs(), den.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let g = a.max(1) as i128;
        Percent { num: num / g, den: den / g }
    }
}

impl PartialEq for Percent {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Percent {}
impl PartialOrd for Percent {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Percent {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

/// Decimal places of a currency's minor unit, from the ISO 4217 table; 2 for codes the
/// table gives none.
pub(crate) fn minor_unit(currency: &str) -> u32 {
    iso_currency::Currency::from_code(currency).and_then(|c| c.exponent()).map_or(2, u32::from)
}

/// Whether `code` is an ISO 4217 currency with a minor unit (so money in it can be
/// rounded): `GBP`, `JPY`, `KWD`; not `XYZ`, nor `XAU` (gold) or `XXX`.
pub(crate) fn is_currency(code: &str) -> bool {
    iso_currency::Currency::from_code(code).is_some_and(|c| c.exponent().is_some())
}

/// Why a text is not an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalError {
    /// Not a number at all (`1,000`, `NaN`, `lots`).
    NotANumber,
    /// A number with more digits than a `Decimal` holds exactly (about 28 significant).
    TooManyDigits,
}

/// Parses a decimal exactly, never rounded. Accepts `-1.50`, `+2`, `.5`, `1e-3`; refuses
/// `1,000` and `NaN` (not a number) and `99.999999999999999999999999999` (too many
/// digits).
pub(crate) fn exact_decimal(text: &str) -> Result<Decimal, DecimalError> {
    use DecimalError::{NotANumber, TooManyDigits};
    let t = text.trim();
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().map_err(|_| NotANumber)?),
        None => (t, 0),
    };
    let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(NotANumber);
    }
    // The significant digits and the power of ten of the last one.
    let digits = format!("{int}{frac}");
    let trailing = digits.len() - digits.trim_end_matches('0').len();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    let last_power = exponent as i64 - frac.len() as i64 + trailing as i64;
    if significant.is_empty() {
        return Ok(Decimal::ZERO);
    }
    if significant.len() > 28 || last_power < -28 || significant.len() as i64 + last_power > 28 {
        return Err(TooManyDigits);
    }
    let mut value = Decimal::from_str_exact(significant).map_err(|_| TooManyDigits)?;
    if last_power >= 0 {
        for _ in 0..last_power {
            value = value.checked_mul(Decimal::TEN).ok_or(TooManyDigits)?;
        }
    } else {
        value.set_scale(u32::try_from(-last_power).map_err(|_| TooManyDigits)?).map_err(|_| TooManyDigits)?;
    }
    let value = if mantissa.starts_with('-') { -value } else { value };
    // Keep the scale as written (`99.0` stays `99.0`) when the plain parse is exact.
    let as_written = (exponent == 0).then(|| t.parse::<Decimal>().ok()).flatten();
    Ok(as_written.filter(|d| *d == value && d.scale() <= 28).unwrap_or(value))
}

/// `num / den` rounded half away from zero.
fn div_round_half_away(num: i128, den: i128) -> i128 {
    let (q, r) = (num / den, num % den);
    if 2 * r.abs() >= den.abs() { q + num.signum() * den.signum() } else { q }
}

/// `amount * part / whole` rounded half away from zero to `places`, computed exactly.
pub(crate) fn prorate(amount: Decimal, part: i64, whole: i64, places: u32) -> Decimal {
    if whole == 0 {
        return round_money(amount, places);
    }
    let (m, s) = parts(amount);
    let num = m * part as i128 * pow10(places);
    let den = pow10(s) * whole as i128;
    Decimal::from_i128_with_scale(div_round_half_away(num, den), places)
}

/// Rounds half away from zero to `places`, always showing that many places.
pub(crate) fn round_money(amount: Decimal, places: u32) -> Decimal {
    let mut r = amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r
}

/// A decimal without trailing zeros (`99.950` → `99.95`, `100.0` → `100`).
pub(crate) fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn spec_worked_examples() {
        // 30-day month, 6,000 s down: 99.76851…% prints 99.7685.
        let e = Decimal::from(2_592_000);
        let up = Percent::of(e - Decimal::from(6000), e);
        assert_eq!(up.truncate(4).to_string(), "99.7685");
        assert_eq!(up.cmp_decimal(dec("99.95")), Ordering::Less);
        // 31-day month: 1,339 s met, 1,340 s not (prints 99.9499).
        let e = Decimal::from(2_678_400);
        let met = Percent::of(e - Decimal::from(1339), e);
        let missed = Percent::of(e - Decimal::from(1340), e);
        assert_ne!(met.cmp_decimal(dec("99.95")), Ordering::Less);
        assert_eq!(missed.cmp_decimal(dec("99.95")), Ordering::Less);
        assert_eq!(missed.truncate(4).to_string(), "99.9499");
        assert_eq!(met.truncate(4).to_string(), "99.9500");
    }

    #[test]
    fn exact_values_compare_exactly() {
        let p = Percent::of(dec("9995"), dec("10000"));
        assert_eq!(p.cmp_decimal(dec("99.95")), Ordering::Equal);
        assert_eq!(Percent::of(dec("1"), dec("0")).truncate(2).to_string(), "100.00");
        assert_eq!(Percent::of(dec("450.5"), dec("1000")).truncate(4).to_string(), "45.0500");
        let a = Percent::of(dec("1"), dec("3"));
        let b = Percent::of(dec("2"), dec("3"));
        assert_eq!(a.midpoint(&b), Percent::of(dec("1"), dec("2")));
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        assert_eq!(prorate(dec("1000.00"), 1, 2, 2).to_string(), "500.00");
        assert_eq!(prorate(dec("0.01"), 1, 2, 2).to_string(), "0.01"); // 0.005 -> 0.01
        assert_eq!(prorate(dec("0.03"), 1, 2, 2).to_string(), "0.02"); // 0.015 -> 0.02
        assert_eq!(prorate(dec("1000"), 17, 31, 2).to_string(), "548.39"); // 548.387…
        assert_eq!(prorate(dec("150000"), 1, 3, 0).to_string(), "50000");
        assert_eq!(round_money(dec("2.345"), 2).to_string(), "2.35");
        assert_eq!(round_money(dec("-2.345"), 2).to_string(), "-2.35");
        assert_eq!(round_money(dec("7"), 2).to_string(), "7.00");
        assert_eq!(minor_unit("JPY"), 0);
        assert_eq!(minor_unit("KWD"), 3);
        assert_eq!(minor_unit("GBP"), 2);
        assert_eq!(minor_unit("CLF"), 4);
        assert!(is_currency("EUR") && is_currency("JPY") && is_currency("KWD"));
        assert!(!is_currency("XYZ") && !is_currency("XAU") && !is_currency("gbp") && !is_currency(""));
    }

    proptest! {
        #[test]
        fn truncation_never_rounds_up(part in 0i64..3_000_000, whole in 1i64..3_000_000) {
            let p = Percent::of(Decimal::from(part), Decimal::from(whole));
            let t = p.truncate(4);
            prop_assert!(p.cmp_decimal(t) != Ordering::Less);
            prop_assert!(p.cmp_decimal(t + dec("0.0001")) == Ordering::Less);
        }

        #[test]
        fn prorate_matches_decimal_rounding(cents in 0i64..10_000_000, part in 0i64..2_678_400) {
            let amount = Decimal::new(cents, 2);
            let whole = 2_678_400i64;
            let exact = amount * Decimal::from(part) / Decimal::from(whole);
            let expected = round_money(exact, 2);
            prop_assert_eq!(prorate(amount, part, whole, 2), expected);
        }
    }

    #[test]
    fn exact_decimals_or_none() {
        let ok = [
            ("99.95", "99.95"),
            ("-1.50", "-1.50"),
            ("+2", "2"),
            (".5", "0.5"),
            ("1e-3", "0.001"),
            ("2.5E2", "250"),
            ("0.0000000000000000000000000001", "0.0000000000000000000000000001"),
            ("9999999999999999999999999999", "9999999999999999999999999999"),
            ("0.00", "0"),
        ];
        for (text, want) in ok {
            let d = exact_decimal(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(d, Decimal::from_str(want).unwrap(), "{text}");
        }
        for long in [
            "99.999999999999999999999999999",
            "0.004999999999999999999999999999",
            "99999999999999999999999999999",
            "0.00000000000000000000000000001",
            "1e400",
        ] {
            assert_eq!(exact_decimal(long), Err(DecimalError::TooManyDigits), "{long}");
        }
        for bad in ["1,000", "NaN", "", "-", ".", "1.2.3", "0x10", "1e", "lots"] {
            assert_eq!(exact_decimal(bad), Err(DecimalError::NotANumber), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn exact_decimals_round_trip(m in -10_000_000_000i64..10_000_000_000, scale in 0u32..12) {
            let d = Decimal::new(m, scale);
            proptest::prop_assert_eq!(exact_decimal(&d.to_string()), Ok(d));
        }
    }
}
