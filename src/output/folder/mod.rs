//! The output folder itself: staged beside its target and swapped in atomically ([`staging`]),
//! closed by manifest.json ([`manifest`]) written from the typed JSON records ([`records`]),
//! with the hashes of [`digest`].

pub mod digest;
pub mod manifest;
pub mod records;
pub mod staging;
