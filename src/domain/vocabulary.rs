//! Closed vocabularies: enums whose every value has one stable name, as stored and sent.
//!
//! The names are what the database rows, the JSON and the webhooks carry, so they are written
//! once, beside the variant, and `parse` is the only way back from text.

/// Declares a vocabulary enum with `ALL`, `as_str`, `parse` and `Display`. Derives for serde
/// and OpenAPI go in the attributes, with `rename_all` matching the names given here (each
/// vocabulary's tests check that they agree).
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable name, as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The value with this exact stable name.
            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

/// Checks a vocabulary's names both ways, and against its serde names when it has them.
#[cfg(test)]
pub(crate) fn assert_names_round_trip<T>(
    all: &[T],
    as_str: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) where
    T: Copy + PartialEq + std::fmt::Debug + serde::Serialize,
{
    for &value in all {
        let name = as_str(value);
        assert_eq!(parse(name), Some(value), "{name} reads back");
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            serde_json::Value::String(name.to_owned()),
            "serde names {value:?} as stored"
        );
    }
    assert_eq!(parse(""), None);
}
