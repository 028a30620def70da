//! The official working-day calendar: weekends, the public holidays of the State Council's
//! annual notices (国务院办公厅关于部分节假日安排的通知) and the make-up working days (调休)
//! that move a Saturday or Sunday into the working week. The plan's steps fall on working
//! days of this calendar (docs/rules.md); the defaults cover 2018–2023 and `[calendar]`
//! adds to them.

use std::collections::BTreeSet;

use crate::domain::date::Date;

/// Holidays and make-up working days; every other Saturday and Sunday is a rest day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

/// The State Council's notices for 2018–2023: public holidays as inclusive ranges, and the
/// weekend days worked in exchange. 2020's Spring Festival includes the extension to 2 February
/// (国办发明电〔2020〕1号), which also cancelled the make-up day of 1 February.
pub const OFFICIAL_HOLIDAYS: &[(&str, &str)] = &[
    ("2017-12-30", "2018-01-01"),
    ("2018-02-15", "2018-02-21"),
    ("2018-04-05", "2018-04-07"),
    ("2018-04-29", "2018-05-01"),
    ("2018-06-16", "2018-06-18"),
    ("2018-09-22", "2018-09-24"),
    ("2018-10-01", "2018-10-07"),
    ("2018-12-30", "2019-01-01"),
    ("2019-02-04", "2019-02-10"),
    ("2019-04-05", "2019-04-07"),
    ("2019-05-01", "2019-05-04"),
    ("2019-06-07", "2019-06-09"),
    ("2019-09-13", "2019-09-15"),
    ("2019-10-01", "2019-10-07"),
    ("2020-01-01", "2020-01-01"),
    ("2020-01-24", "2020-02-02"),
    ("2020-04-04", "2020-04-06"),
    ("2020-05-01", "2020-05-05"),
    ("2020-06-25", "2020-06-27"),
    ("2020-10-01", "2020-10-08"),
    ("2021-01-01", "2021-01-03"),
    ("2021-02-11", "2021-02-17"),
    ("2021-04-03", "2021-04-05"),
    ("2021-05-01", "2021-05-05"),
    ("2021-06-12", "2021-06-14"),
    ("2021-09-19", "2021-09-21"),
    ("2021-10-01", "2021-10-07"),
    ("2022-01-01", "2022-01-03"),
    ("2022-01-31", "2022-02-06"),
    ("2022-04-03", "2022-04-05"),
    ("2022-04-30", "2022-05-04"),
    ("2022-06-03", "2022-06-05"),
    ("2022-09-10", "2022-09-12"),
    ("2022-10-01", "2022-10-07"),
    ("2022-12-31", "2023-01-02"),
    ("2023-01-21", "2023-01-27"),
    ("2023-04-05", "2023-04-05"),
    ("2023-04-29", "2023-05-03"),
    ("2023-06-22", "2023-06-24"),
    ("2023-09-29", "2023-10-06"),
];

/// Saturdays and Sundays worked under the same notices.
pub const OFFICIAL_WORKDAYS: &[&str] = &[
    "2018-02-11",
    "2018-02-24",
    "2018-04-08",
    "2018-04-28",
    "2018-09-29",
    "2018-09-30",
    "2018-12-29",
    "2019-02-02",
    "2019-02-03",
    "2019-04-28",
    "2019-05-05",
    "2019-09-29",
    "2019-10-12",
    "2020-01-19",
    "2020-04-26",
    "2020-05-09",
    "2020-06-28",
    "2020-09-27",
    "2020-10-10",
    "2021-02-07",
    "2021-02-20",
    "2021-04-25",
    "2021-05-08",
    "2021-09-18",
    "2021-09-26",
    "2021-10-09",
    "2022-01-29",
    "2022-01-30",
    "2022-04-02",
    "2022-04-24",
    "2022-05-07",
    "2022-10-08",
    "2022-10-09",
    "2023-01-28",
    "2023-01-29",
    "2023-04-23",
    "2023-05-06",
    "2023-06-25",
    "2023-10-07",
    "2023-10-08",
];

impl Calendar {
    /// The official calendar of 2018–2023.
    pub fn official() -> Calendar {
        let mut c = Calendar::default();
        // Constant dates (a test checks that every one parses).
        for (from, to) in OFFICIAL_HOLIDAYS {
            if let (Some(from), Some(to)) = (Date::parse(from), Date::parse(to)) {
                c.add_holidays(from, to);
            }
        }
        for d in OFFICIAL_WORKDAYS.iter().filter_map(|d| Date::parse(d)) {
            c.add_workday(d);
        }
        c
    }

    /// Every day from `from` to `to` inclusive is a holiday (unless listed as a workday).
    pub fn add_holidays(&mut self, from: Date, to: Date) {
        let mut d = from;
        while d <= to {
            self.holidays.insert(d);
            d = d.add_days(1);
        }
    }

    /// A weekend day worked, or a holiday cancelled: a working day whatever else says.
    pub fn add_workday(&mut self, date: Date) {
        self.workdays.insert(date);
    }

    /// The calendar's years: the first and last year any holiday or workday falls in.
    pub fn years(&self) -> Option<(i32, i32)> {
        let first = self
            .holidays
            .first()
            .into_iter()
            .chain(self.workdays.first())
            .min()?;
        let last = self
            .holidays
            .last()
            .into_iter()
            .chain(self.workdays.last())
            .max()?;
        Some((first.ymd().0, last.ymd().0))
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        self.workdays.contains(&date) || (date.weekday() < 5 && !self.holidays.contains(&date))
    }

    /// `date` itself when it is a working day, else the next working day.
    pub fn on_or_after(&self, date: Date) -> Date {
        let mut d = date;
        while !self.is_working_day(d) {
            d = d.add_days(1);
        }
        d
    }

    /// `n` working days after `date` (the day itself not counted).
    pub fn add_working_days(&self, date: Date, n: u32) -> Date {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.add_days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_official_calendar_knows_holidays_and_make_up_days() {
        let c = Calendar::official();
        // National Day 2019: 1–7 October off, Saturday 12 October worked.
        assert!(!c.is_working_day(d("2019-10-01")));
        assert!(!c.is_working_day(d("2019-10-07")));
        assert!(c.is_working_day(d("2019-10-08")));
        assert!(c.is_working_day(d("2019-10-12")));
        assert!(!c.is_working_day(d("2019-10-13")));
        // Spring Festival 2020, extended to Sunday 2 February; Saturday 1 February not worked.
        assert!(!c.is_working_day(d("2020-01-31")));
        assert!(!c.is_working_day(d("2020-02-01")));
        assert!(c.is_working_day(d("2020-02-03")));
        assert!(c.is_working_day(d("2020-01-19")));
        // An ordinary week.
        assert!(c.is_working_day(d("2019-07-05")));
        assert!(!c.is_working_day(d("2019-07-06")));
        assert_eq!(c.years(), Some((2017, 2023)));
        // Every listed workday is a Saturday or Sunday; no holiday range is empty.
        for w in OFFICIAL_WORKDAYS {
            assert!(d(w).weekday() >= 5, "{w}");
            assert!(c.is_working_day(d(w)), "{w}");
        }
        for (from, to) in OFFICIAL_HOLIDAYS {
            assert!(
                d(from) <= d(to) && d(from).add_days(9) >= d(to),
                "{from}..{to}"
            );
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let c = Calendar::official();
        // Friday 27 September 2019 + 1: Saturday 28 is a weekend, Sunday 29 a make-up day.
        assert_eq!(c.add_working_days(d("2019-09-27"), 1), d("2019-09-29"));
        // Monday 30 September + 1: 1–7 October are off.
        assert_eq!(c.add_working_days(d("2019-09-30"), 1), d("2019-10-08"));
        // 10 working days from 30 September 2019: 8, 9, 10, 11, 12 (Sat, worked), 14–18.
        assert_eq!(c.add_working_days(d("2019-09-30"), 10), d("2019-10-18"));
        assert_eq!(c.on_or_after(d("2019-10-03")), d("2019-10-08"));
        assert_eq!(c.on_or_after(d("2019-10-08")), d("2019-10-08"));
        // Without the calendar, only weekends count.
        let plain = Calendar::default();
        assert_eq!(plain.add_working_days(d("2019-09-30"), 1), d("2019-10-01"));
        // A user's cancelled holiday is a working day.
        let mut c2 = Calendar::official();
        c2.add_workday(d("2019-10-02"));
        assert_eq!(c2.add_working_days(d("2019-09-30"), 1), d("2019-10-02"));
    }
}
