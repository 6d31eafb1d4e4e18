//! One primary with its typed secondaries, read outside a controller: through the aggregated
//! `primary-all` API in one request, or, where that API is not served, with a GET and one LIST
//! per declared kind. Both fill the caches the controller's watches fill, and build the typed
//! struct from them as a handler gets it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};

use futures::TryFutureExt;
use kube::Client;
use serde_json::Value;

use crate::aware::SecondaryAware;
use crate::cache::caches::Caches;
use crate::client::primary_all::{self, KindChildren, PrimaryAll};
use crate::error::{Error, chain};
use crate::kinds::resource::{api, is_namespaced};
use crate::watch::declared::ErasedWatch;
use crate::watch::set::WatchSet;

/// A primary with its typed secondaries, as [`get_latest_with_secondaries`] read them.
///
/// A declared kind the caller may not list, or that the aggregated API could not serve, has no
/// children to show, which is not the same as having none: [`Latest::secondaries`] is `Err` then,
/// so code that acts on missing children cannot mistake one for the other.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Latest<P: SecondaryAware> {
    /// The primary, without `metadata.managedFields`.
    pub primary: P,
    secondaries: P::Secondaries,
    /// Resources of children the caller may not list (`secrets`): nothing about them is shown,
    /// not even how many there are.
    pub hidden: BTreeSet<String>,
    /// Declared kinds the aggregated API could not serve, by resource, with its reason.
    pub errors: BTreeMap<String, String>,
    /// How they were read.
    pub source: Source,
}

impl<P: SecondaryAware> Latest<P> {
    /// Its children, one field per declared kind (e.g. `DatabaseSecondaries`), as a handler gets
    /// them: mapped to the primary as declared and narrowed by each kind's selector. `Err`
    /// ([`Error::Incomplete`]) when a declared kind was hidden from the caller or not served.
    pub fn secondaries(&self) -> Result<&P::Secondaries, Error> {
        let watches = WatchSet::<P>::declared().watches;
        let unread: Vec<String> = watches
            .iter()
            .filter_map(|watch| {
                let plural = &watch.resource().plural;
                if self.hidden.contains(plural) {
                    Some(format!("{plural} (hidden: you may not list them)"))
                } else {
                    let error = self.errors.get(plural)?;
                    Some(format!("{plural} (not served: {error})"))
                }
            })
            .collect();
        if unread.is_empty() {
            return Ok(&self.secondaries);
        }
        Err(Error::Incomplete {
            object: describe_object(&self.primary),
            kinds: unread,
        })
    }

    /// The children of the kinds that could be read; a hidden or unserved kind's field is empty
    /// whether it has children or not. For showing what the caller may see, never for deciding
    /// what is missing: that is [`Latest::secondaries`].
    pub fn readable_secondaries(&self) -> &P::Secondaries {
        &self.secondaries
    }
}

/// How [`get_latest_with_secondaries`] read a primary and its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// One request to the aggregated `primary-all` API: each kind as fresh as that server's
    /// watch of it, not an atomic snapshot.
    Aggregated,
    /// That API is not registered, does not serve this primary kind, or is unavailable: a GET of
    /// the primary and one LIST per declared kind.
    Fallback,
}

/// Reads the primary `name` (in `namespace`, or the client's default namespace; ignored for a
/// cluster-scoped `P`) with its typed secondaries, through the kube-apiserver as the client's
/// user.
///
/// One request to [`primary_all::path`]. When that API answers 404 for the group or the
/// resource (not registered, or not serving `P`), 403 (the caller has no grant on the
/// `primary-all` resource), 503, or cannot be reached, this logs why once at `info` and reads
/// with a GET and one LIST per declared kind instead ([`Source::Fallback`]), each authorised as
/// the caller, and paginated. A 404 naming the primary, and any failure of the fallback's own
/// requests (a 403 above all), is returned as [`Error::Read`].
///
/// ```no_run
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kube::CustomResource;
/// use kube_secondary::SecondaryAware;
/// use kube_secondary::client::get_latest_with_secondaries;
/// use schemars::JsonSchema;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// #[secondary(ConfigMap)]
/// pub struct DatabaseSpec {}
///
/// # async fn run(client: kube::Client) -> Result<(), kube_secondary::Error> {
/// let latest = get_latest_with_secondaries::<Database>(&client, Some("prod"), "orders").await?;
/// let _: &Database = &latest.primary;
/// for config in &latest.secondaries()?.config_maps {
///     println!("{:?} ({:?})", config.metadata.name, latest.source);
/// }
/// # Ok(())
/// # }
/// ```
pub async fn get_latest_with_secondaries<P: SecondaryAware>(
    client: &Client,
    namespace: Option<&str>,
    name: &str,
) -> Result<Latest<P>, Error> {
    let namespace = is_namespaced::<P>().then(|| namespace.unwrap_or(client.default_namespace()));
    let read = |source| Error::Read {
        object: format!("{} with its secondaries", describe::<P>(namespace, name)),
        source,
    };
    let path = primary_all::path(&P::group(&()), &P::plural(&()), namespace, name);
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(|error| read(kube::Error::HttpError(error)))?;
    match client.request::<PrimaryAll>(request).await {
        Ok(response) => Latest::from_response(response),
        Err(error) => match unavailable(&error, name) {
            Some(reason) => {
                log_fallback(&reason);
                read_without_api(client, namespace, name).await
            }
            None => Err(read(error)),
        },
    }
}

impl<P: SecondaryAware> Latest<P> {
    /// Types a `primary-all` response: the primary as a `P`, and each declared kind's children
    /// (matched by API group and kind; kinds `P` does not declare are ignored) as the watches'
    /// caches would hold them.
    pub fn from_response(response: PrimaryAll) -> Result<Self, Error> {
        let primary: P =
            serde_json::from_value(response.primary).map_err(|source| Error::Decode {
                object: format!("the primary {}", P::kind(&())),
                source,
            })?;
        let mut errors = BTreeMap::new();
        let mut served = |watch: &dyn ErasedWatch<P>| {
            let declared = watch.resource();
            let kinds = response.secondaries.iter().filter(|served| {
                served.kind == declared.kind && group_of(served) == declared.group
            });
            let mut objects = Vec::new();
            for kind in kinds {
                if let Some(error) = &kind.error {
                    errors.insert(kind.resource.clone(), error.clone());
                }
                objects.extend(kind.items.iter().cloned());
            }
            objects
        };
        let watches = WatchSet::<P>::declared().watches;
        let objects: Vec<_> = watches.iter().map(|watch| served(watch.as_ref())).collect();
        let secondaries = typed(&primary, &watches, objects)?;
        Ok(Self {
            primary,
            secondaries,
            hidden: response.hidden.into_iter().collect(),
            errors,
            source: Source::Aggregated,
        })
    }
}

/// The API group of a kind in a response: `apps` of `apps/v1`, `""` of `v1`.
fn group_of(kind: &KindChildren) -> &str {
    kind.api_version
        .rsplit_once('/')
        .map_or("", |(group, _version)| group)
}

/// Builds `primary`'s typed children from each declared kind's objects, through the caches.
fn typed<P: SecondaryAware>(
    primary: &P,
    watches: &[Box<dyn ErasedWatch<P>>],
    objects: Vec<Vec<Value>>,
) -> Result<P::Secondaries, Error> {
    let mut caches = Caches::default();
    for (watch, objects) in watches.iter().zip(objects) {
        watch
            .fill(&mut caches, objects)
            .map_err(|source| Error::Decode {
                object: format!(
                    "a {} of {}",
                    watch.resource().kind,
                    describe_object(primary)
                ),
                source,
            })?;
    }
    Ok(P::secondaries(&caches, primary))
}

/// The fallback: a GET of the primary and one LIST per declared kind, sent together.
async fn read_without_api<P: SecondaryAware>(
    client: &Client,
    namespace: Option<&str>,
    name: &str,
) -> Result<Latest<P>, Error> {
    let mut primary = api::<P>(client.clone(), namespace)
        .get(name)
        .await
        .map_err(|source| Error::Read {
            object: describe::<P>(namespace, name),
            source,
        })?;
    primary.meta_mut().managed_fields = None;
    let watches = WatchSet::<P>::declared().watches;
    let lists = watches.iter().map(|watch| {
        let object = format!(
            "the {} of {}",
            watch.resource().plural,
            describe::<P>(namespace, name)
        );
        watch
            .list(client.clone(), namespace, name)
            .map_err(|source| Error::Read { object, source })
    });
    let objects = futures::future::try_join_all(lists).await?;
    let secondaries = typed(&primary, &watches, objects)?;
    Ok(Latest {
        primary,
        secondaries,
        hidden: BTreeSet::new(),
        errors: BTreeMap::new(),
        source: Source::Fallback,
    })
}

/// Why the aggregated API cannot answer for the primary `name`, when the fallback should read
/// instead: a 404 for the group or the resource (one naming the object says the primary does not
/// exist), a 403 (no grant on the `primary-all` resource: the built-in roles have one only where
/// a role aggregated to them grants it; the fallback's requests are authorised as the caller,
/// so it shows nothing the caller may not read), a 503, or a request that never reached an API
/// server.
/// `None` for any other failure.
pub(crate) fn unavailable(error: &kube::Error, name: &str) -> Option<String> {
    match error {
        kube::Error::Api(status) if status.code == 404 => {
            let names_object = status
                .details
                .as_ref()
                .is_some_and(|details| details.name == name);
            (!names_object).then(|| {
                format!(
                    "primary-all API unavailable (404 {}: {})",
                    status.reason, status.message
                )
            })
        }
        kube::Error::Api(status) if status.code == 403 => Some(format!(
            "no grant to read through the primary-all API (403: {}); `get` on the primary's plural in its `primary-all.<group>` API group makes it one request",
            status.message
        )),
        kube::Error::Api(status) if status.code == 503 => Some(format!(
            "primary-all API unavailable (503 {}: {})",
            status.reason, status.message
        )),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            Some(format!("primary-all API unavailable ({})", chain(error)))
        }
        _ => None,
    }
}

/// Logs the first fallback of this process at `info`, later ones at `debug`.
fn log_fallback(reason: &str) {
    static LOGGED: AtomicBool = AtomicBool::new(false);
    if LOGGED.swap(true, Ordering::Relaxed) {
        tracing::debug!("{reason}; reading with a GET and one LIST per declared kind");
    } else {
        tracing::info!("{reason}; reading with a GET and one LIST per declared kind");
    }
}

/// `Database prod/orders`, or `Namespace prod` for a cluster-scoped primary.
fn describe<P: SecondaryAware>(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(namespace) => format!("{} {namespace}/{name}", P::kind(&())),
        None => format!("{} {name}", P::kind(&())),
    }
}

fn describe_object<P: SecondaryAware>(primary: &P) -> String {
    let meta = primary.meta();
    describe::<P>(
        meta.namespace.as_deref(),
        meta.name.as_deref().unwrap_or_default(),
    )
}

#[cfg(test)]
#[path = "latest_tests.rs"]
mod tests;
