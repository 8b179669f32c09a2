//! Support for the model's enums.

use std::fmt;

/// The raw text of an enum value this version of the client does not know.
///
/// Only the client makes these, so that a known value always parses into its own variant.
///
/// # Example
/// ```
/// use lamina_runtime::enums::UnknownVariantValue;
/// let value = UnknownVariantValue::new("Brand-new");
/// assert_eq!(value.as_str(), "Brand-new");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownVariantValue(String);

impl UnknownVariantValue {
    /// Wraps `value`. Generated enums call this for values not in the model.
    #[doc(hidden)]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownVariantValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
