use escale_i18n::text;
use std::fmt;

use rand::Rng;

use super::refusal::ValueError;

/// The code printed on a ticket and scanned at the door: ten symbols of Crockford's
/// base32 (no I, L, O, U, so nothing is misread at a noisy entrance), shown as
/// `K7Q2M-9XD4T`. Fifty random bits: guessing a valid code is hopeless.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TicketCode(String);

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LEN: usize = 10;

impl TicketCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let code: String = (0..LEN).map(|_| char::from(ALPHABET[rng.random_range(0..32)])).collect();
        Self(code)
    }

    /// Reads a code as staff or participants type it: case, spaces and hyphens do
    /// not matter, and the look-alikes O/I/L are read as 0/1/1.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let mut code = String::with_capacity(LEN);
        for c in raw.chars().filter(|c| !matches!(c, ' ' | '-')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(ValueError::new(text!("value-ticket")));
            }
            code.push(c);
        }
        if code.len() != LEN {
            return Err(ValueError::new(text!("value-ticket")));
        }
        Ok(Self(code))
    }

    /// The canonical form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form printed for people: two groups of five.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// The printed form of a code as stored; a stored value that is somehow not
    /// a code is shown as it is rather than hidden.
    pub fn display_stored(stored: &str) -> String {
        Self::parse(stored).map(|c| c.display()).unwrap_or_else(|_| stored.to_owned())
    }
}

impl fmt::Display for TicketCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

/// A ticket code is a bearer credential for check-in and cancellation.
impl fmt::Debug for TicketCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TicketCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_round_trip_through_their_printed_form() {
        for _ in 0..100 {
            let code = TicketCode::generate();
            assert_eq!(TicketCode::parse(&code.display()).as_ref(), Ok(&code));
            assert_eq!(TicketCode::parse(&code.display().to_lowercase()).as_ref(), Ok(&code));
        }
    }

    #[test]
    fn look_alikes_are_forgiven_and_garbage_refused() {
        assert_eq!(TicketCode::parse("o1234-5678l").map(|c| c.as_str().to_owned()), Ok("0123456781".to_owned()));
        assert!(TicketCode::parse("1234").is_err());
        assert!(TicketCode::parse("12345-6789U").is_err());
        assert!(TicketCode::parse("12345-6789É").is_err());
    }
}
