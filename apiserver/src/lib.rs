//! Aggregated API server serving a primary together with its secondaries (not yet implemented).

pub mod register;
