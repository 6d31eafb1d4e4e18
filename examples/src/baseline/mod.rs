//! The `database` job written the ways the benchmark compares kube-secondary against.
//!
//! Both baselines run the same full reconcile on every wake-up; they differ only in what wakes
//! them: a 5-second timer (no child watches), or kube-runtime's `Controller::owns` for each kind.

pub mod by_hand;
mod reconcile;
pub mod timer;

use std::sync::atomic::{AtomicU64, Ordering};

use kube::Client;

pub use reconcile::reconcile_all;

use crate::database::Database;

/// What a baseline shares with its reconcile function.
pub struct Baseline {
    /// The client (counting its requests when run by the benchmark).
    pub client: Client,
    /// The server-side apply field manager.
    pub manager: String,
    /// Reconcile runs so far.
    pub wakeups: AtomicU64,
}

impl Baseline {
    /// A baseline writing as `manager`.
    pub fn new(client: Client, manager: &str) -> Self {
        Self {
            client,
            manager: manager.to_string(),
            wakeups: AtomicU64::new(0),
        }
    }

    /// Counts one wake-up and runs the full reconcile.
    pub async fn run(&self, db: &Database) -> kube::Result<()> {
        self.wakeups.fetch_add(1, Ordering::Relaxed);
        reconcile_all(&self.client, &self.manager, db).await
    }

    /// Reconcile runs so far.
    pub fn wakeups(&self) -> u64 {
        self.wakeups.load(Ordering::Relaxed)
    }
}
