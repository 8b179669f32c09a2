//! Members kept in the order the model file lists them, which is the order users read.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

use super::Member;

/// Named members in file order.
#[derive(Debug, Clone, Default)]
pub struct OrderedMembers(pub Vec<(String, Member)>);

impl OrderedMembers {
    /// Iterates over `(name, member)` pairs in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Member)> {
        self.0.iter().map(|(n, m)| (n, m))
    }

    /// The member with this name.
    pub fn get(&self, name: &str) -> Option<&Member> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for OrderedMembers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ordered;

        impl<'de> Visitor<'de> for Ordered {
            type Value = OrderedMembers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of members")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some((name, member)) = map.next_entry::<String, Member>()? {
                    members.push((name, member));
                }
                Ok(OrderedMembers(members))
            }
        }

        deserializer.deserialize_map(Ordered)
    }
}
