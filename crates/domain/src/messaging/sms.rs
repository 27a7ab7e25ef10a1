//! SMS length and cost per GSM 03.38.
//!
//! A message that fits the GSM 7-bit alphabet holds 160 septets in one SMS and 153
//! per part once concatenated (the user-data header takes 7). One character
//! outside that alphabet — all of Arabic, and French letters such as ç, ê, â, î,
//! ô, û — switches the whole message to UCS-2: 70 UTF-16 units, 67 per part.
//! Each part is billed, so the count is recorded on every notification.

use escale_i18n::text;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    pub units: usize,
    pub segments: u32,
}

/// The basic GSM 03.38 table (one septet each). `\u{1b}` (escape) is excluded: it
/// only introduces the extension table.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: each costs two septets (escape + character).
const GSM7_EXTENDED: &str = "\u{c}^{}\\[~]|€";

fn gsm7_cost(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Splits `units` (each item a character's cost) into parts of at most `per_part`
/// without cutting a character in two, as handsets and providers do.
fn parts(costs: impl Iterator<Item = usize>, per_part: usize) -> u32 {
    let mut parts = 1u32;
    let mut used = 0usize;
    for cost in costs {
        if used + cost > per_part {
            parts += 1;
            used = 0;
        }
        used += cost;
    }
    parts
}

pub fn measure(text: &str) -> SmsLength {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm7_cost).collect();
    match gsm {
        Some(costs) => {
            let units: usize = costs.iter().sum();
            let segments = if units <= 160 { 1 } else { parts(costs.into_iter(), 153) };
            SmsLength { encoding: SmsEncoding::Gsm7, units, segments }
        }
        None => {
            let units: usize = text.chars().map(char::len_utf16).sum();
            let segments = if units <= 70 { 1 } else { parts(text.chars().map(char::len_utf16), 67) };
            SmsLength { encoding: SmsEncoding::Ucs2, units, segments }
        }
    }
}

/// Whether an organizer's SMS may go to `phone`: its country must be among
/// `allowed` (ISO 3166 codes separated by commas, the tenant's
/// `sms_countries`). Err names both, for the person and the organizer.
pub fn country_allowed(allowed: &str, phone: &crate::values::PhoneNumber) -> Result<(), CountryRefusal> {
    let countries = allowed.split(',').map(str::trim).filter(|c| !c.is_empty());
    match phone.country() {
        Some(country) if countries.clone().any(|c| c.eq_ignore_ascii_case(country)) => Ok(()),
        found => Err(CountryRefusal {
            allowed: countries.collect::<Vec<_>>().join(", "),
            found: found.unwrap_or("no country").to_owned(),
        }),
    }
}

/// A number from a country the organizer does not send SMS to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryRefusal {
    /// The allowed countries' codes, `MA, FR`.
    pub allowed: String,
    /// The number's country code.
    pub found: String,
}

/// As a failed message's `last_error` (which the worker's metric reads by
/// its prefix).
impl std::fmt::Display for CountryRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SMS_COUNTRY}SMS go to numbers of {} only; this number is from {}", self.allowed, self.found)
    }
}

/// How a message refused by an SMS limit says so (its `last_error` starts
/// with one of these), for the worker's `escale_sms_refused_total{reason}`.
pub const SMS_COUNTRY: &str = "SMS destination not allowed: ";
pub const SMS_TENANT_CAP: &str = "daily SMS cap of the organizer reached: ";
pub const SMS_NUMBER_CAP: &str = "daily SMS cap of this number reached: ";

/// The metric label of a refusal by an SMS limit, if it is one.
pub fn limit_label(reason: &str) -> Option<&'static str> {
    [(SMS_COUNTRY, "country"), (SMS_TENANT_CAP, "tenant_cap"), (SMS_NUMBER_CAP, "number_cap")]
        .into_iter()
        .find_map(|(prefix, label)| reason.starts_with(prefix).then_some(label))
}

/// The codes of `countries` as stored (`"FR,MA"`): each an ISO 3166 code the
/// phone numbering plan knows, at least one, at most 30.
pub fn countries_to_store(countries: &[String]) -> Result<String, crate::error::DomainError> {
    use std::str::FromStr as _;
    let mut codes: Vec<String> = Vec::with_capacity(countries.len());
    for raw in countries {
        let code = raw.trim().to_ascii_uppercase();
        if phonenumber::country::Id::from_str(&code).is_err() {
            return Err(crate::error::DomainError::validation(
                "countries",
                text!("country-code", value = raw.as_str()),
            ));
        }
        codes.push(code);
    }
    codes.sort();
    codes.dedup();
    if codes.is_empty() || codes.len() > 30 {
        return Err(crate::error::DomainError::validation("countries", text!("countries-count")));
    }
    Ok(codes.join(","))
}

/// What the deployment's SMS provider bills per segment (`ESCALE_SMS_SEGMENT_PRICE`,
/// e.g. `0.35 MAD`): the console's cost estimate before a broadcast.
/// Kept in thousandths so that sums are exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentPrice {
    pub thousandths: u64,
    /// ISO 4217 code ("MAD", "EUR").
    pub currency: String,
}

impl SegmentPrice {
    /// The cost of `segments`, written `12.250 MAD`-style with the price's
    /// own precision trimmed to at least two decimals.
    pub fn cost(&self, segments: u64) -> String {
        let total = self.thousandths.saturating_mul(segments);
        let (units, rest) = (total / 1000, total % 1000);
        let decimals = if rest % 10 == 0 { format!("{:02}", rest / 10) } else { format!("{rest:03}") };
        format!("{units}.{decimals} {}", self.currency)
    }
}

impl std::str::FromStr for SegmentPrice {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let usage =
            || format!("`{raw}` is not a price per segment such as `0.35 MAD` (at most 3 decimals, an ISO 4217 code)");
        let (amount, currency) = raw.trim().split_once(' ').ok_or_else(usage)?;
        let currency = currency.trim();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(usage());
        }
        let (units, decimals) = amount.split_once('.').unwrap_or((amount, ""));
        if units.is_empty()
            || decimals.len() > 3
            || !(units.bytes().chain(decimals.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(usage());
        }
        let units: u64 = units.parse().map_err(|_| usage())?;
        let fraction: u64 = format!("{decimals:0<3}").parse().map_err(|_| usage())?;
        let thousandths = units.checked_mul(1000).and_then(|u| u.checked_add(fraction)).ok_or_else(usage)?;
        Ok(SegmentPrice { thousandths, currency: currency.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(measure("").segments, 1);
        assert_eq!(measure(&"a".repeat(160)), SmsLength { encoding: SmsEncoding::Gsm7, units: 160, segments: 1 });
        assert_eq!(measure(&"a".repeat(161)).segments, 2);
        assert_eq!(measure(&"a".repeat(306)).segments, 2);
        assert_eq!(measure(&"a".repeat(307)).segments, 3);
    }

    #[test]
    fn extension_characters_cost_two_septets_and_are_not_split() {
        let m = measure(&"€".repeat(80));
        assert_eq!((m.encoding, m.units, m.segments), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(measure(&"€".repeat(81)).segments, 2);
        // 152 septets then a two-septet character: it moves whole to part two.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(measure(&text).units, 164);
        assert_eq!(measure(&text).segments, 2);
    }

    #[test]
    fn french_accents_in_the_gsm_table_stay_gsm7() {
        let m = measure("Rendez-vous à Casablanca le 23/11, séance de 9h. Merci !");
        assert_eq!(m.encoding, SmsEncoding::Gsm7);
    }

    #[test]
    fn lower_case_c_cedilla_and_circumflexes_force_ucs2() {
        for text in ["Reçu", "Fête", "âge", "île", "hôtel", "sûr"] {
            assert_eq!(measure(text).encoding, SmsEncoding::Ucs2, "{text}");
        }
        // Capital Ç is in the GSM table; lower-case ç is not.
        assert_eq!(measure("Ç").encoding, SmsEncoding::Gsm7);
        let accented = format!("Votre inscription est reçue. {}", "x".repeat(41));
        assert_eq!(measure(&accented).units, 70);
        assert_eq!(measure(&accented).segments, 1);
        assert_eq!(measure(&format!("{accented}x")).segments, 2);
    }

    #[test]
    fn arabic_is_ucs2_seventy_then_sixty_seven_per_part() {
        let one = "م".repeat(70);
        assert_eq!(measure(&one), SmsLength { encoding: SmsEncoding::Ucs2, units: 70, segments: 1 });
        assert_eq!(measure(&"م".repeat(71)).segments, 2);
        assert_eq!(measure(&"م".repeat(134)).segments, 2);
        assert_eq!(measure(&"م".repeat(135)).segments, 3);
        let real = "تم تأكيد تسجيلكم في منتدى المقاولات الصغيرة جدا بالدار البيضاء يوم 23 نونبر";
        assert_eq!(measure(real).encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn emoji_take_two_utf16_units_and_are_not_split() {
        let m = measure(&"😀".repeat(35));
        assert_eq!((m.units, m.segments), (70, 1));
        let text = format!("{}😀", "a".repeat(66));
        assert_eq!(measure(&text).units, 68);
        assert_eq!(measure(&format!("{}😀", "a".repeat(69))).segments, 2);
    }

    #[test]
    fn a_segment_price_reads_as_written_and_sums_exactly() {
        let price: SegmentPrice = "0.35 MAD".parse().expect("a price");
        assert_eq!(price.thousandths, 350);
        assert_eq!(price.cost(3), "1.05 MAD");
        assert_eq!("0.045 EUR".parse::<SegmentPrice>().map(|p| p.cost(1000)), Ok("45.00 EUR".to_owned()));
        assert_eq!("0.045 EUR".parse::<SegmentPrice>().map(|p| p.cost(1)), Ok("0.045 EUR".to_owned()));
        for bad in ["0.35", "MAD 0.35", "0,35 MAD", "0.3555 MAD", "-1 MAD", "1 mad", ".5 MAD", ""] {
            assert!(bad.parse::<SegmentPrice>().is_err(), "{bad:?} should be refused");
        }
    }
}
