//! What a client gets beyond kube's: a primary with its typed secondaries in one request
//! ([`get_latest_with_secondaries`]), and the API requests a client sends counted by Kubernetes
//! verb (a tower layer in the client's stack), so what an operator costs the API server is
//! measured, not estimated.
//!
//! ```no_run
//! use kube_secondary::client::counting_client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (client, requests) = counting_client(kube::Config::infer().await?)?;
//! let _ = client.apiserver_version().await?;
//! println!("{:?}, {} writes", requests.snapshot(), requests.writes());
//! # Ok(())
//! # }
//! ```

pub mod age;
mod counting;
pub(crate) mod latest;
pub mod primary_all;

pub use counting::{CountRequests, CountRequestsLayer, RequestCounts, counting_client, verb};
pub use latest::{Latest, Source, get_latest_with_secondaries};
