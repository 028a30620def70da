//! Calendar dates as days since 1970-01-01 (the physical value of a polars/Arrow `Date`):
//! strict parsing of the three input formats, formatting, and the calendar arithmetic the
//! rules need (whole months between two dates, adding months, month ends); working days are
//! the [`super::calendar`]'s.

/// A calendar date, stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// Build from year, month (1–12) and day; `None` if that day does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// A date written in the code (a constant such as the generator's as-of), not checked:
    /// input dates go through [`Date::parse`] / [`Date::from_ymd`].
    pub const fn civil(year: i32, month: u32, day: u32) -> Date {
        Date(days_from_civil(year, month, day))
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Parse `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` (already trimmed).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let digits = |s: &[u8]| -> Option<u32> {
            if s.iter().all(u8::is_ascii_digit) {
                Some(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
            } else {
                None
            }
        };
        let (y, m, d) = match b.len() {
            10 if (b[4] == b'-' && b[7] == b'-') || (b[4] == b'/' && b[7] == b'/') => {
                (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?)
            }
            8 => (digits(&b[0..4])?, digits(&b[4..6])?, digits(&b[6..8])?),
            _ => return None,
        };
        Date::from_ymd(y as i32, m, d)
    }

    /// Whole months from `self` to `later`: (y₂−y₁)·12 + (m₂−m₁), less 1 if d₂ < d₁
    /// (docs/rules.md: 31 Jan → 30 Jul is 5, 30 Jan → 30 Jul is 6).
    pub fn whole_months_until(self, later: Date) -> i32 {
        let (y1, m1, d1) = self.ymd();
        let (y2, m2, d2) = later.ymd();
        let months = (y2 - y1) * 12 + (m2 as i32 - m1 as i32);
        if d2 < d1 {
            months - 1
        } else {
            months
        }
    }

    /// The same day `n` months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb).
    pub fn add_months(self, n: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) + n;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let nd = d.min(days_in_month(ny, nm));
        Date(days_from_civil(ny, nm, nd))
    }

    /// The last day of this date's month.
    pub fn month_end(self) -> Date {
        let (y, m, _) = self.ymd();
        Date(days_from_civil(y, m, days_in_month(y, m)))
    }

    /// `n` days later.
    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// Day of week, Monday = 0 … Sunday = 6.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.0 + 3).rem_euclid(7) as u32
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days, exact for the proleptic Gregorian calendar.
const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn three_formats_and_calendar_checks() {
        assert_eq!(d("1970-01-01"), Date(0));
        assert_eq!(d("2019/06/30"), d("2019-06-30"));
        assert_eq!(d("20190630"), d("2019-06-30"));
        assert_eq!(d("2020-02-29").to_string(), "2020-02-29");
        for bad in [
            "2020-02-30",
            "2019-02-29",
            "1900-02-29",
            "2019-13-01",
            "2019-00-10",
            "2019-01-00",
            "2019-1-01",
            "2019-01-1",
            "19-01-01",
            "2019.01.01",
            "2019-01/01",
            "0000-01-01",
            "",
            "2019-06-30T00:00",
            "２０１９-01-01",
            "+019-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad:?}");
        }
        assert_eq!(d("2000-02-29").to_string(), "2000-02-29");
        assert_eq!(Date::civil(2019, 6, 30), d("2019-06-30"));
        assert_eq!(Date::civil(1970, 1, 1), Date(0));
    }

    #[test]
    fn whole_months_follow_the_contract_examples() {
        assert_eq!(d("2019-01-31").whole_months_until(d("2019-07-30")), 5);
        assert_eq!(d("2019-01-30").whole_months_until(d("2019-07-30")), 6);
        assert_eq!(d("2018-08-31").whole_months_until(d("2019-02-28")), 5);
        assert_eq!(d("2019-06-30").whole_months_until(d("2019-06-30")), 0);
        assert_eq!(d("2019-06-30").whole_months_until(d("2019-06-29")), -1);
    }

    #[test]
    fn month_and_working_day_arithmetic() {
        assert_eq!(d("2019-01-31").add_months(1), d("2019-02-28"));
        assert_eq!(d("2020-01-31").add_months(1), d("2020-02-29"));
        assert_eq!(d("2019-11-15").add_months(3), d("2020-02-15"));
        assert_eq!(d("2019-06-28").weekday(), 4); // a Friday
        assert_eq!(d("2019-12-30").month_end(), d("2019-12-31"));
        assert_eq!(d("2020-02-01").month_end(), d("2020-02-29"));
        assert_eq!(d("2019-02-28").month_end(), d("2019-02-28"));
        // The drift the plan used to have: 30 June + 6 months is 30 December, not a month end.
        assert_eq!(d("2019-06-30").add_months(6), d("2019-12-30"));
        assert_eq!(d("2019-06-30").add_months(6).month_end(), d("2019-12-31"));
    }

    proptest! {
        #[test]
        fn days_round_trip_through_text(days in -700_000i32..2_900_000) {
            let date = Date(days);
            let text = date.to_string();
            prop_assert_eq!(Date::parse(&text), Some(date));
            prop_assert_eq!(Date::parse(&text.replace('-', "/")), Some(date));
            prop_assert_eq!(Date::parse(&text.replace('-', "")), Some(date));
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,12}") {
            let _ = Date::parse(&s);
        }
    }
}
