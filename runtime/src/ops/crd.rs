//! Installing a custom resource's CustomResourceDefinition, so an operator can create its CRD at
//! start-up and begin watching only once the API server serves the kind.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Patch, PatchParams};
use kube::runtime::wait::{self, await_condition, conditions::is_crd_established};
use kube::{Api, Client, CustomResourceExt};

/// How long [`install_crd`] waits for the API server to report the CRD established.
pub const ESTABLISHED_TIMEOUT: Duration = Duration::from_secs(30);

/// Errors of [`install_crd`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallCrdError {
    /// The server-side apply of the CRD was refused or failed.
    #[error("cannot apply CustomResourceDefinition {name}")]
    Apply {
        /// The CRD's name, `<plural>.<group>`.
        name: String,
        /// The API error.
        #[source]
        source: kube::Error,
    },
    /// Watching the CRD for its `Established` condition failed.
    #[error("cannot watch CustomResourceDefinition {name} for its Established condition")]
    Wait {
        /// The CRD's name, `<plural>.<group>`.
        name: String,
        /// The watch error.
        #[source]
        source: wait::Error,
    },
    /// The API server did not report the CRD established in time.
    #[error("CustomResourceDefinition {name} was not established within {timeout:?}")]
    NotEstablished {
        /// The CRD's name, `<plural>.<group>`.
        name: String,
        /// How long it waited.
        timeout: Duration,
    },
}

/// Server-side applies the CRD of `K` as `field_manager` (forcing ownership of its fields, so a
/// newer version replaces an older one) and waits up to [`ESTABLISHED_TIMEOUT`] until it is
/// established, so that the kind can be watched and created right after.
///
/// The client needs `patch`, `get`, `list` and `watch` on `customresourcedefinitions`.
///
/// ```no_run
/// use kube::CustomResource;
/// use kube_secondary::crd::install_crd;
/// use schemars::JsonSchema;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// pub struct DatabaseSpec {
///     replicas: i32,
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = kube::Client::try_default().await?;
/// install_crd::<Database>(&client, "database-operator").await?;
/// # Ok(())
/// # }
/// ```
pub async fn install_crd<K: CustomResourceExt>(
    client: &Client,
    field_manager: &str,
) -> Result<(), InstallCrdError> {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd = K::crd();
    let name = K::crd_name().to_string();
    let params = PatchParams::apply(field_manager).force();
    if let Err(source) = crds.patch(&name, &params, &Patch::Apply(&crd)).await {
        return Err(InstallCrdError::Apply { name, source });
    }
    let established = await_condition(crds, &name, is_crd_established());
    match tokio::time::timeout(ESTABLISHED_TIMEOUT, established).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(source)) => Err(InstallCrdError::Wait { name, source }),
        Err(_elapsed) => Err(InstallCrdError::NotEstablished {
            name,
            timeout: ESTABLISHED_TIMEOUT,
        }),
    }
}
