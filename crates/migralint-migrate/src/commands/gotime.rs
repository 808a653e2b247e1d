//! What `create -format LAYOUT -tz ZONE` needs of Go's `time` package: a
//! time zone by name (`UTC`, `Local`, or an IANA name read from the
//! system's zoneinfo files, as Go's `time.LoadLocation` does), and
//! `time.Format` for the numeric parts of a layout (`2006 01 02 15 04 05`
//! and the like), plus golang-migrate's `unix` and `unixNano`.

use std::path::PathBuf;

/// A UTC offset in seconds at a given instant, for a named zone.
pub fn offset_at(zone: &str, unix_secs: i64) -> Result<i64, String> {
    match zone {
        "" | "UTC" => Ok(0),
        "Local" => Ok(local_offset(unix_secs)),
        name => {
            if name.starts_with('/') || name.split('/').any(|p| p == ".." || p.is_empty()) {
                return Err(format!("unknown time zone {name}"));
            }
            let bytes = zoneinfo_dirs()
                .into_iter()
                .find_map(|d| std::fs::read(d.join(name)).ok())
                .ok_or_else(|| format!("unknown time zone {name}"))?;
            tzif_offset(&bytes, unix_secs).ok_or_else(|| format!("unknown time zone {name}"))
        }
    }
}

fn zoneinfo_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(z) = std::env::var_os("ZONEINFO") {
        dirs.push(PathBuf::from(z));
    }
    for d in [
        "/usr/share/zoneinfo",
        "/usr/share/lib/zoneinfo",
        "/usr/lib/locale/TZ",
        "/etc/zoneinfo",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

/// The offset a TZif file gives at an instant (the version 2+ data, else
/// version 1); after the last transition, the last one's.
pub fn tzif_offset(b: &[u8], t: i64) -> Option<i64> {
    let header = |at: usize| -> Option<[usize; 6]> {
        if b.get(at..at + 4)? != b"TZif" {
            return None;
        }
        let mut c = [0usize; 6];
        for (i, slot) in c.iter_mut().enumerate() {
            let o = at + 20 + 4 * i;
            *slot = u32::from_be_bytes(b.get(o..o + 4)?.try_into().ok()?) as usize;
        }
        Some(c)
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = header(0)?;
    let v1_len = timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    let (base, time_size, [_, _, _, timecnt, typecnt, _]) =
        if b.get(4).copied().unwrap_or(0) >= b'2' {
            let at = 44 + v1_len;
            (at + 44, 8, header(at)?)
        } else {
            (44, 4, [isut, isstd, leap, timecnt, typecnt, charcnt])
        };
    let time = |i: usize| -> Option<i64> {
        let o = base + i * time_size;
        Some(if time_size == 8 {
            i64::from_be_bytes(b.get(o..o + 8)?.try_into().ok()?)
        } else {
            i64::from(i32::from_be_bytes(b.get(o..o + 4)?.try_into().ok()?))
        })
    };
    let idx_base = base + timecnt * time_size;
    let types_base = idx_base + timecnt;
    let utoff = |ty: usize| -> Option<i64> {
        if ty >= typecnt {
            return None;
        }
        let o = types_base + ty * 6;
        Some(i64::from(i32::from_be_bytes(
            b.get(o..o + 4)?.try_into().ok()?,
        )))
    };
    // The last transition at or before t.
    let mut found = None;
    let (mut lo, mut hi) = (0usize, timecnt);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if time(mid)? <= t {
            found = Some(mid);
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let ty = match found {
        Some(i) => usize::from(*b.get(idx_base + i)?),
        None => 0,
    };
    utoff(ty)
}

#[cfg(unix)]
fn local_offset(unix_secs: i64) -> i64 {
    #[repr(C)]
    struct Tm {
        sec: i32,
        min: i32,
        hour: i32,
        mday: i32,
        mon: i32,
        year: i32,
        wday: i32,
        yday: i32,
        isdst: i32,
        gmtoff: std::ffi::c_long,
        zone: *const std::ffi::c_char,
    }
    extern "C" {
        fn localtime_r(t: *const i64, tm: *mut Tm) -> *mut Tm;
    }
    let mut tm = std::mem::MaybeUninit::<Tm>::zeroed();
    let r = unsafe { localtime_r(&unix_secs, tm.as_mut_ptr()) };
    if r.is_null() {
        return 0;
    }
    // `c_long` is 32 bits on some targets.
    #[allow(clippy::useless_conversion)]
    i64::from(unsafe { tm.assume_init() }.gmtoff)
}

#[cfg(not(unix))]
fn local_offset(_: i64) -> i64 {
    0
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Go's `time.Time.Format` for the numeric elements of `layout` (year,
/// month, day, day of year, hour, minute, second, fractions, `PM`); other
/// text is copied. `unix` / `unixNano` as golang-migrate's `create`.
pub fn format(layout: &str, unix_secs: i64, nanos: u32, offset: i64) -> String {
    match layout {
        "unix" => return unix_secs.to_string(),
        "unixNano" => {
            return (i128::from(unix_secs) * 1_000_000_000 + i128::from(nanos)).to_string()
        }
        _ => {}
    }
    let local = unix_secs + offset;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let yday = day_of_year(y, mo, d);
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    let b = layout.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let rest = &layout[i..];
        let take = |out: &mut String, text: String, n: usize| {
            out.push_str(&text);
            n
        };
        let n = if rest.starts_with("2006") {
            take(&mut out, format!("{y:04}"), 4)
        } else if rest.starts_with("002") {
            take(&mut out, format!("{yday:03}"), 3)
        } else if rest.starts_with("01") {
            take(&mut out, format!("{mo:02}"), 2)
        } else if rest.starts_with("02") {
            take(&mut out, format!("{d:02}"), 2)
        } else if rest.starts_with("03") {
            take(&mut out, format!("{h12:02}"), 2)
        } else if rest.starts_with("04") {
            take(&mut out, format!("{mi:02}"), 2)
        } else if rest.starts_with("05") {
            take(&mut out, format!("{s:02}"), 2)
        } else if rest.starts_with("06") {
            take(&mut out, format!("{:02}", y.rem_euclid(100)), 2)
        } else if rest.starts_with("15") {
            take(&mut out, format!("{h:02}"), 2)
        } else if rest.starts_with("__2") {
            take(&mut out, format!("{yday:>3}"), 3)
        } else if rest.starts_with("_2") {
            take(&mut out, format!("{d:>2}"), 2)
        } else if rest.starts_with('1') {
            take(&mut out, mo.to_string(), 1)
        } else if rest.starts_with('2') {
            take(&mut out, d.to_string(), 1)
        } else if rest.starts_with('3') {
            take(&mut out, h12.to_string(), 1)
        } else if rest.starts_with('4') {
            take(&mut out, mi.to_string(), 1)
        } else if rest.starts_with('5') {
            take(&mut out, s.to_string(), 1)
        } else if rest.starts_with("PM") {
            take(&mut out, if h >= 12 { "PM" } else { "AM" }.into(), 2)
        } else if rest.starts_with("pm") {
            take(&mut out, if h >= 12 { "pm" } else { "am" }.into(), 2)
        } else if let Some(n) = fraction(rest) {
            let digits = format!("{nanos:09}");
            let zeros = rest.as_bytes()[1] == b'0';
            let mut f = digits[..n - 1].to_string();
            if !zeros {
                f = f.trim_end_matches('0').to_string();
            }
            if !f.is_empty() {
                out.push_str(&rest[..1]);
                out.push_str(&f);
            }
            n
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            c.len_utf8()
        };
        i += n;
    }
    out
}

/// `.000` / `,999`: a fraction of a second, its length.
fn fraction(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    if b.len() < 2 || !(b[0] == b'.' || b[0] == b',') || !(b[1] == b'0' || b[1] == b'9') {
        return None;
    }
    let run = b[1..].iter().take_while(|&&c| c == b[1]).count();
    if b.get(1 + run).is_some_and(u8::is_ascii_digit) || run > 9 {
        return None;
    }
    Some(1 + run)
}

fn day_of_year(y: i64, m: u32, d: u32) -> u32 {
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    CUM[(m - 1) as usize] + d + u32::from(leap && m > 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts() {
        // 2023-11-14 22:13:20.123456789 UTC
        let (t, ns) = (1_700_000_000, 123_456_789);
        assert_eq!(format("20060102150405", t, ns, 0), "20231114221320");
        assert_eq!(
            format("2006-01-02T15:04:05.000", t, ns, 0),
            "2023-11-14T22:13:20.123"
        );
        assert_eq!(format("060102_030405PM", t, ns, 0), "231114_101320PM");
        assert_eq!(format("2006002", t, ns, 0), "2023318");
        assert_eq!(format("1/2 3:4:5", t, ns, 0), "11/14 10:13:20");
        assert_eq!(format("unix", t, ns, 0), "1700000000");
        assert_eq!(format("unixNano", t, ns, 0), "1700000000123456789");
        // An hour east.
        assert_eq!(format("20060102150405", t, ns, 3600), "20231114231320");
        assert_eq!(format("15.999", t, 120_000_000, 0), "22.12");
    }

    #[test]
    fn zones() {
        assert_eq!(offset_at("UTC", 0), Ok(0));
        assert!(offset_at("Nowhere/Atlantis", 0)
            .unwrap_err()
            .contains("unknown time zone"));
        assert!(offset_at("../etc/passwd", 0).is_err());
        if std::path::Path::new("/usr/share/zoneinfo/America/New_York").exists() {
            // 2023-11-14 (EST, -5h) and 2023-07-01 (EDT, -4h).
            assert_eq!(offset_at("America/New_York", 1_700_000_000), Ok(-5 * 3600));
            assert_eq!(offset_at("America/New_York", 1_688_169_600), Ok(-4 * 3600));
            assert_eq!(
                offset_at("Asia/Kolkata", 1_700_000_000),
                Ok(5 * 3600 + 1800)
            );
        }
    }
}
