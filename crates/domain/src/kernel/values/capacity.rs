use escale_i18n::text;
use std::fmt;

use super::refusal::ValueError;

/// A number of seats: at least one, and bounded so that a typo (60000 for 600)
/// is caught rather than silently opening a stadium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Capacity(u32);

impl Capacity {
    pub const MAX: u32 = 50_000;

    pub fn new(seats: i64) -> Result<Self, ValueError> {
        if seats < 1 {
            return Err(ValueError::new(text!("value-seats-min")));
        }
        u32::try_from(seats)
            .ok()
            .filter(|s| *s <= Self::MAX)
            .map(Capacity)
            .ok_or_else(|| ValueError::new(text!("value-seats-max", max = Self::MAX)))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(Capacity::new(0).is_err());
        assert!(Capacity::new(-5).is_err());
        assert_eq!(Capacity::new(600).map(Capacity::get), Ok(600));
        assert!(Capacity::new(i64::from(Capacity::MAX) + 1).is_err());
    }
}
