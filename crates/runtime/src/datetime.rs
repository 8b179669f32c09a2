//! Points in time as Smithy's timestamps carry them: epoch seconds, RFC 3339 date-times and
//! HTTP dates.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, to the nanosecond, with the text forms the wire uses.
///
/// # Example
/// ```
/// use lamina_runtime::datetime::DateTime;
/// let t = DateTime::from_secs(784_111_777);
/// assert_eq!(t.to_http_date(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(t.to_date_time(), "1994-11-06T08:49:37Z");
/// assert_eq!(&t.basic_date_time(), b"19941106T084937Z");
/// assert_eq!(DateTime::parse_date_time("1994-11-06T08:49:37Z"), Some(t));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl DateTime {
    /// Whole seconds since the Unix epoch.
    pub fn from_secs(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// Milliseconds since the Unix epoch, as event-stream headers carry them.
    pub fn from_millis(millis: i64) -> Self {
        let nanos = millis.rem_euclid(1000) as u32 * 1_000_000;
        Self {
            secs: millis.div_euclid(1000),
            nanos,
        }
    }

    /// Seconds since the Unix epoch with a fraction, if finite and in range.
    pub fn from_secs_f64(secs: f64) -> Option<Self> {
        if !secs.is_finite() || secs.abs() > 1e15 {
            return None;
        }
        let whole = secs.floor();
        let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
        Some(Self {
            secs: whole as i64,
            nanos,
        })
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds past [`Self::secs`].
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Seconds since the Unix epoch with a fraction.
    pub fn as_secs_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// The time as an HTTP date (IMF-fixdate), to the second.
    pub fn to_http_date(&self) -> String {
        let (year, month, day) = civil_from_days(self.secs.div_euclid(86_400));
        let of_day = self.secs.rem_euclid(86_400);
        let weekday = DAYS[self.secs.div_euclid(86_400).rem_euclid(7) as usize];
        format!(
            "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
            MONTHS[(month - 1) as usize],
            of_day / 3600,
            of_day % 3600 / 60,
            of_day % 60
        )
    }

    /// The time as an RFC 3339 date-time in UTC, with a fraction when there is one.
    pub fn to_date_time(&self) -> String {
        let (year, month, day) = civil_from_days(self.secs.div_euclid(86_400));
        let of_day = self.secs.rem_euclid(86_400);
        let mut out = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day % 3600 / 60,
            of_day % 60
        );
        if self.nanos > 0 {
            let fraction = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(fraction.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    /// The time in ISO 8601's basic format in UTC, to the second, as SigV4 stamps requests
    /// (`19941106T084937Z`), as ASCII bytes, without allocating (a year past 9999 keeps its
    /// last four digits).
    ///
    /// # Example
    /// ```
    /// use lamina_runtime::datetime::DateTime;
    /// assert_eq!(&DateTime::from_secs(0).basic_date_time(), b"19700101T000000Z");
    /// ```
    pub fn basic_date_time(&self) -> [u8; 16] {
        let (year, month, day) = civil_from_days(self.secs.div_euclid(86_400));
        let of_day = self.secs.rem_euclid(86_400);
        let mut out = *b"00000000T000000Z";
        put_digits(&mut out[0..4], year);
        put_digits(&mut out[4..6], month);
        put_digits(&mut out[6..8], day);
        put_digits(&mut out[9..11], of_day / 3600);
        put_digits(&mut out[11..13], of_day % 3600 / 60);
        put_digits(&mut out[13..15], of_day % 60);
        out
    }

    /// Parses an RFC 3339 date-time such as `2024-05-01T12:30:00.5+02:00`.
    pub fn parse_date_time(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&month) || !(1..=31).contains(&day)
        {
            return None;
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }

        let mut rest = &text[19..];
        let mut nanos = 0u32;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let padded = format!("{:0<9}", &fraction[..digits.min(9)]);
            nanos = padded.parse().ok()?;
            rest = &fraction[digits..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            _ => {
                let sign = match rest.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let (h, m) = rest.get(1..)?.split_once(':')?;
                let two_digits = |part: &str| {
                    (part.len() == 2 && part.bytes().all(|c| c.is_ascii_digit()))
                        .then(|| part.parse::<i64>().ok())?
                };
                let (h, m) = (two_digits(h)?, two_digits(m)?);
                if h > 23 || m > 59 {
                    return None;
                }
                sign * (h * 3600 + m * 60)
            }
        };

        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
        Some(Self { secs, nanos })
    }

    /// Parses an HTTP date in IMF-fixdate form, such as `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///
    /// The year has at most four digits and the clock stays within a day (a leap second
    /// allowed), as the form requires; anything else is not a date.
    pub fn parse_http_date(text: &str) -> Option<Self> {
        let mut parts = text.split_whitespace();
        let _weekday = parts.next()?;
        let day: i64 = parts.next()?.parse().ok()?;
        let month_name = parts.next()?;
        let month = MONTHS.iter().position(|m| *m == month_name)? as i64 + 1;
        let year: i64 = parts.next()?.parse().ok()?;
        let mut clock = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
        let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
        if parts.next()? != "GMT" || !(1..=31).contains(&day) || !(0..=9999).contains(&year) {
            return None;
        }
        if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) || !(0..=60).contains(&second) {
            return None;
        }
        let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        Some(Self::from_secs(secs))
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Self {
                secs: after.as_secs() as i64,
                nanos: after.subsec_nanos(),
            },
            Err(before) => {
                let d = before.duration();
                let mut secs = -(d.as_secs() as i64);
                let mut nanos = 0;
                if d.subsec_nanos() > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - d.subsec_nanos();
                }
                Self { secs, nanos }
            }
        }
    }
}

impl From<DateTime> for SystemTime {
    fn from(time: DateTime) -> Self {
        let nanos = Duration::from_nanos(u64::from(time.nanos));
        if time.secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(time.secs as u64) + nanos
        } else {
            UNIX_EPOCH - Duration::from_secs(time.secs.unsigned_abs()) + nanos
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_date_time())
    }
}

/// Writes the last `out.len()` decimal digits of `value` into `out`.
fn put_digits(out: &mut [u8], value: i64) {
    let mut rest = value.unsigned_abs();
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for secs in [0, 1, 951_782_400, 1_700_000_000, -86_401, 4_102_444_800] {
            let t = DateTime::from_secs(secs);
            assert_eq!(
                DateTime::parse_date_time(&t.to_date_time()),
                Some(t),
                "{secs}"
            );
            assert_eq!(
                DateTime::parse_http_date(&t.to_http_date()),
                Some(t),
                "{secs}"
            );
        }
    }

    #[test]
    fn date_times_with_fractions_and_offsets() {
        let t = DateTime::parse_date_time("2024-02-29T23:59:59.25+01:30").unwrap();
        assert_eq!(t.to_date_time(), "2024-02-29T22:29:59.25Z");
        assert_eq!(t.subsec_nanos(), 250_000_000);
        for bad in [
            "2024-13-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "yesterday",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00+-1:00",
            "2024-01-01T00:00:00+24:00",
        ] {
            assert_eq!(DateTime::parse_date_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_out_of_range_are_not_dates() {
        for bad in [
            "Thu, 01 Jan 9223372036854775807 00:00:00 GMT",
            "Thu, 01 Jan 10000 00:00:00 GMT",
            "Thu, 01 Jan 2000 -1:00:00 GMT",
            "Thu, 01 Jan 2000 00:-1:00 GMT",
            "Thu, 01 Jan 2000 00:00:9223372036854775807 GMT",
        ] {
            assert_eq!(DateTime::parse_http_date(bad), None, "{bad}");
        }
        let leap = DateTime::parse_http_date("Wed, 31 Dec 2008 23:59:60 GMT").unwrap();
        assert_eq!(leap, DateTime::from_secs(1_230_768_000));
    }

    #[test]
    fn system_time_converts_both_ways() {
        let now = SystemTime::now();
        assert_eq!(SystemTime::from(DateTime::from(now)), now);
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(SystemTime::from(DateTime::from(before)), before);
    }
}
