//! `kubectl secondaries tree TYPE/NAME`: a primary resource and everything it made, as a tree,
//! read in one request through the aggregated `primary-all` API with the user's own kubeconfig,
//! so the user's own permissions decide what is shown (and which kinds are only named).
//!
//! The parts that talk to the cluster ([`discover`], [`fetch`]) are apart from the ones that
//! decide what to say ([`resolve`], [`render`], [`Error`]), which are tested without one.

mod cli;
mod discover;
mod error;
mod fetch;
mod render;
mod resolve;

pub use cli::{Cli, Command, Output, Tree};
pub use discover::discover;
pub use error::Error;
pub use fetch::{explain, fetch};
pub use kube_secondary::client::age::age;
pub use render::render;
pub use resolve::{Candidate, Discovered, Resolved, resolve};
