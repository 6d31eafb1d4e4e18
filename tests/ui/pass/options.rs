//! `#[secondaries(...)]`: the fallback resync, the periodic check, and the crate path for a
//! re-exported `kube_secondary`.

use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod reexports {
    pub use kube_secondary;
}

#[derive(
    CustomResource,
    reexports::kube_secondary::SecondaryAware,
    Clone,
    Debug,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[kube(
    group = "batch.example.com",
    version = "v1",
    kind = "CronJob",
    namespaced
)]
#[secondaries(
    resync = "2h30m",
    periodic = "45s",
    crate = "crate::reexports::kube_secondary"
)]
#[secondary(Job)]
pub struct CronJobSpec {
    pub schedule: String,
}

#[derive(
    CustomResource,
    reexports::kube_secondary::SecondaryAware,
    Clone,
    Debug,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[kube(
    group = "batch.example.com",
    version = "v1",
    kind = "Probe",
    namespaced
)]
#[secondaries(periodic = "500ms")]
#[secondaries(resync = "1d")]
#[secondary(Job)]
pub struct ProbeSpec {
    pub target: String,
}

fn main() {
    use reexports::kube_secondary::SecondaryAware;

    let options = <CronJob as SecondaryAware>::options();
    assert_eq!(options.resync, Duration::from_secs(2 * 3600 + 30 * 60));
    assert_eq!(options.periodic, Some(Duration::from_secs(45)));

    let options = <Probe as SecondaryAware>::options();
    assert_eq!(options.resync, Duration::from_secs(24 * 3600));
    assert_eq!(options.periodic, Some(Duration::from_millis(500)));

    let _: Vec<_> = CronJobSecondaries::default().jobs;
    let _ = (CronJobSecondaryKind::Job, ProbeSecondaryKind::Job);
}
