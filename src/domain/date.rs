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
        let days = days_from_year_one(u32::try_from(year).ok()?, month, day)?;
        Some(Date(days - DAYS_TO_1970))
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

    /// Parse `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` (already trimmed). A CSV run parses
    /// some 47 million dates a province: the digits are read in place and the day counted from
    /// tables ([`days_from_year_one`]), with no branch on the month.
    pub fn parse(text: &str) -> Option<Date> {
        let digits: [u8; 8] = match *text.as_bytes() {
            [y0, y1, y2, y3, s, m0, m1, t, d0, d1] if s == t && (s == b'-' || s == b'/') => {
                [y0, y1, y2, y3, m0, m1, d0, d1]
            }
            [y0, y1, y2, y3, m0, m1, d0, d1] => [y0, y1, y2, y3, m0, m1, d0, d1],
            _ => return None,
        };
        let digit = |i: usize| {
            let v = digits[i].wrapping_sub(b'0');
            (v < 10).then_some(u32::from(v))
        };
        let year = ((digit(0)? * 10 + digit(1)?) * 10 + digit(2)?) * 10 + digit(3)?;
        let month = digit(4)? * 10 + digit(5)?;
        let day = digit(6)? * 10 + digit(7)?;
        Some(Date(days_from_year_one(year, month, day)? - DAYS_TO_1970))
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

/// Every fourth year, but not every hundredth, but every four hundredth. Reckoned without
/// a branch (`&`, `|`): a date's parse asks it of years in no order (8 ns a date, 11 with
/// `&&` and `||`).
fn is_leap(year: i32) -> bool {
    (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
}

/// Days of each month (1–12) of a common year.
const DAYS_OF_MONTH: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/// Days before each month (1–12) of a common year.
const DAYS_BEFORE_MONTH: [u32; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
/// Days from 0001-01-01 to 1970-01-01.
const DAYS_TO_1970: i32 = 719_162;

/// Days in `month` of `year`; 0 for a month that is not 1–12.
fn days_in_month(year: i32, month: u32) -> u32 {
    match DAYS_OF_MONTH.get(month as usize) {
        Some(&days) => days + u32::from((month == 2) & is_leap(year)),
        None => 0,
    }
}

/// Days from 0001-01-01 to the day `year` (1–9999), `month`, `day`; `None` if that day does
/// not exist. Counted as whole years, then the year's days before the month from a table: no
/// era arithmetic and no branch on the month, for the dates a CSV run parses by the million.
/// The same calendar as [`days_from_civil`] (a test holds them equal on every day of the ten
/// thousand years).
#[inline]
fn days_from_year_one(year: u32, month: u32, day: u32) -> Option<i32> {
    // A month outside 1–12 has no days.
    if !(1..=9999).contains(&year) || day == 0 || day > days_in_month(year as i32, month) {
        return None;
    }
    let y = year - 1;
    let days = y * 365 + y / 4 - y / 100 + y / 400 + DAYS_BEFORE_MONTH[month as usize];
    Some((days + u32::from((month > 2) & is_leap(year as i32)) + day - 1) as i32)
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

    /// The count of days from year one is Hinnant's on every day of every month of the years
    /// 1–9999, and refuses every day that does not exist: day 0, a day past the month's end
    /// (29 February but in a leap year: every fourth, not every hundredth, every four
    /// hundredth), month 0 and 13, year 0 and 10000.
    #[test]
    fn the_count_of_days_is_the_calendars() {
        for year in 0..=10_000u32 {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let february = if leap { 29 } else { 28 };
            let lengths = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            for month in 0..=13u32 {
                for day in 0..=32u32 {
                    let exists = (1..=9999).contains(&year)
                        && (1..=12).contains(&month)
                        && (1..=lengths[(month.clamp(1, 12) - 1) as usize]).contains(&day);
                    let want = exists.then(|| days_from_civil(year as i32, month, day));
                    let got = days_from_year_one(year, month, day).map(|n| n - DAYS_TO_1970);
                    assert_eq!(got, want, "{year}-{month}-{day}");
                    let ymd = Date::from_ymd(year as i32, month, day);
                    assert_eq!(ymd, want.map(Date), "{year}-{month}-{day}");
                }
            }
        }
        assert_eq!(days_from_year_one(1, 1, 1), Some(0));
        assert_eq!(days_from_year_one(1970, 1, 1), Some(DAYS_TO_1970));
        assert_eq!(days_from_year_one(1900, 2, 29), None);
        assert_eq!(
            days_from_year_one(2000, 2, 29).map(|n| n - DAYS_TO_1970),
            Some(11_016)
        );
        assert_eq!(
            days_from_year_one(9999, 12, 31).map(|n| n - DAYS_TO_1970),
            Some(2_932_896)
        );
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
