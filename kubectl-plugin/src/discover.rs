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
        core.map_err(Error::Discovery)?,
        groups.map_err(Error::Discovery)?,
    ))
}
