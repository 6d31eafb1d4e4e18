//! Reading the server's discovery document: aggregated discovery of `/api` and `/apis`, two
//! requests sent together.

use kube::Client;

use crate::error::Error;
use crate::resolve::Discovered;

/// Every resource type and API group the server serves.
pub async fn discover(client: &Client) -> Result<Discovered, Error> {
    let (core, groups) = tokio::join!(
        client.list_core_api_versions_aggregated(),
        client.list_api_groups_aggregated(),
    );
    Ok(Discovered::from_lists(
        core.map_err(failed)?,
        groups.map_err(failed)?,
    ))
}

/// A 401 here is the caller's credentials; anything else, the server or the way to it.
fn failed(error: kube::Error) -> Error {
    match &error {
        kube::Error::Api(status) if status.code == 401 => Error::Unauthorized(error),
        _ => Error::Discovery(error),
    }
}
