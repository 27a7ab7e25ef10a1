//! Why a value was refused, in words the person who typed it can act on.

/// Why a raw value was refused. The message is safe to show to the person who typed it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub escale_i18n::Text);

impl ValueError {
    pub(crate) fn new(message: escale_i18n::Text) -> Self {
        Self(message)
    }
}

/// True when `s` carries a control character (newline, NUL…): never wanted in a
/// name or a title, and a header-injection risk once it reaches an email.
pub(crate) fn has_control_chars(s: &str) -> bool {
    s.chars().any(char::is_control)
}
