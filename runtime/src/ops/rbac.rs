//! The permissions a controller needs: a generated ClusterRole, and a start-up check that names
//! what is missing instead of letting a watch fail forever.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use kube::api::{ObjectMeta, PostParams};
use kube::core::ApiResource;
use kube::{Api, Client};

use crate::aware::{Declare, SecondaryAware};
use crate::error::Error;
pub use crate::error::MissingPermission;
use crate::kinds::declaration::Declaration;
use crate::kinds::resource::SecondaryResource;

/// Verbs on the primary: watch it, and update it (finalizers, annotations).
const PRIMARY_VERBS: &[&str] = &["get", "list", "watch", "patch", "update"];
/// Verbs on the primary's status subresource.
const STATUS_VERBS: &[&str] = &["get", "patch", "update"];
/// Verbs on the primary's finalizers: the `OwnerReferencesPermissionEnforcement` admission
/// plugin asks for them before a child may carry `blockOwnerDeletion: true`.
const FINALIZERS_VERBS: &[&str] = &["update"];
/// Verbs on each secondary kind: watch it and write it.
const SECONDARY_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "patch", "update", "delete",
];
/// Verbs leader election needs on its Lease.
const LEASE_VERBS: &[&str] = &["get", "list", "watch", "create", "update"];
/// Verbs every watch needs; the preflight checks these.
const WATCH_VERBS: &[&str] = &["list", "watch"];

fn rule(resource: &ApiResource, plural: String, verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec![resource.group.clone()]),
        resources: Some(vec![plural]),
        verbs: verbs.iter().map(|verb| verb.to_string()).collect(),
        ..PolicyRule::default()
    }
}

/// The resources of the kinds a primary declares, in declaration order.
struct Declared(Vec<ApiResource>);

impl<P: SecondaryAware> Declare<P> for Declared {
    fn add<C: SecondaryResource>(&mut self, _: P::Kind, declared: Declaration<C>) {
        self.0.push(declared.resource);
    }
}

/// The resources a controller for `P` watches: the primary first, then each declared kind.
fn watched<P: SecondaryAware>() -> Vec<ApiResource> {
    let mut declared = Declared(vec![ApiResource::erase::<P>(&())]);
    P::declare(&mut declared);
    declared.0
}

/// The rules a controller for `P` needs.
pub fn policy_rules<P: SecondaryAware>() -> Vec<PolicyRule> {
    let resources = watched::<P>();
    let primary = &resources[0];
    let mut rules = vec![
        rule(primary, primary.plural.clone(), PRIMARY_VERBS),
        rule(primary, format!("{}/status", primary.plural), STATUS_VERBS),
        rule(
            primary,
            format!("{}/finalizers", primary.plural),
            FINALIZERS_VERBS,
        ),
    ];
    rules.extend(
        resources[1..]
            .iter()
            .map(|kind| rule(kind, kind.plural.clone(), SECONDARY_VERBS)),
    );
    // Events on the primary ([`Context::event`](crate::Context::event)).
    rules.push(PolicyRule {
        api_groups: Some(vec!["events.k8s.io".to_string()]),
        resources: Some(vec!["events".to_string()]),
        verbs: vec!["create".to_string(), "patch".to_string()],
        ..PolicyRule::default()
    });
    rules
}

/// A ClusterRole named `name` granting everything a controller for `P` needs.
///
/// ```
/// use k8s_openapi::api::apps::v1::Deployment;
/// use k8s_openapi::api::core::v1::Secret;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// #[secondary(Deployment)]
/// #[secondary(Secret, metadata_only)]
/// pub struct DatabaseSpec {}
///
/// let role = kube_secondary::rbac::cluster_role::<Database>("database-operator");
/// let rules = role.rules.unwrap();
/// assert_eq!(rules[0].resources, Some(vec!["databases".to_string()]));
/// assert_eq!(rules[1].resources, Some(vec!["databases/status".to_string()]));
/// assert_eq!(rules[2].resources, Some(vec!["databases/finalizers".to_string()]));
/// assert_eq!(rules[3].api_groups, Some(vec!["apps".to_string()]));
/// assert!(rules[4].verbs.contains(&"watch".to_string()));
/// ```
pub fn cluster_role<P: SecondaryAware>(name: &str) -> ClusterRole {
    ClusterRole {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            ..ObjectMeta::default()
        },
        rules: Some(policy_rules::<P>()),
        ..ClusterRole::default()
    }
}

/// [`cluster_role`] as YAML, ready for `kubectl apply -f -`; the examples print it with
/// `--print-rbac`.
///
/// ```
/// # use k8s_openapi::api::core::v1::Service;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// # #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// # #[secondary(Service)]
/// # pub struct DatabaseSpec {}
/// let yaml = kube_secondary::rbac::cluster_role_yaml::<Database>("database-operator");
/// assert!(yaml.starts_with("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"));
/// assert!(yaml.contains("- services"));
/// ```
pub fn cluster_role_yaml<P: SecondaryAware>(name: &str) -> String {
    serde_yaml::to_string(&cluster_role::<P>(name)).expect("a ClusterRole serializes to YAML")
}

/// Checks with SelfSubjectAccessReviews that the client may list and watch the primary and every
/// declared kind, in `namespace` or cluster-wide. [`Controller::run`](crate::Controller::run)
/// calls it before starting the watches unless told to skip it.
///
/// ```no_run
/// # async fn check<P: kube_secondary::SecondaryAware>(client: kube::Client) {
/// if let Err(kube_secondary::Error::MissingPermissions(missing)) =
///     kube_secondary::rbac::preflight::<P>(&client, Some("prod")).await
/// {
///     for permission in missing {
///         eprintln!("{permission}"); // e.g. "cannot watch services (v1 Service)"
///     }
/// }
/// # }
/// ```
pub async fn preflight<P: SecondaryAware>(
    client: &Client,
    namespace: Option<&str>,
) -> Result<(), Error> {
    let mut missing = Vec::new();
    for resource in watched::<P>() {
        for verb in WATCH_VERBS {
            if !allowed(client, &resource.group, &resource.plural, namespace, verb).await? {
                missing.push(MissingPermission {
                    kind: format!("{} {}", resource.api_version, resource.kind),
                    resource: resource.plural.clone(),
                    verb: verb.to_string(),
                });
            }
        }
    }
    missing_if_any(missing)
}

/// The rule [leader election](crate::Controller::leader_election) needs, for a Role in the
/// election's namespace (or the ClusterRole).
pub fn lease_rule() -> PolicyRule {
    PolicyRule {
        api_groups: Some(vec!["coordination.k8s.io".to_string()]),
        resources: Some(vec!["leases".to_string()]),
        verbs: LEASE_VERBS.iter().map(|verb| verb.to_string()).collect(),
        ..PolicyRule::default()
    }
}

/// Checks that the client may use Leases in `namespace` for leader election (nothing to check
/// without it).
pub async fn preflight_lease(client: &Client, namespace: Option<&str>) -> Result<(), Error> {
    let Some(namespace) = namespace else {
        return Ok(());
    };
    let mut missing = Vec::new();
    for verb in LEASE_VERBS {
        if !allowed(
            client,
            "coordination.k8s.io",
            "leases",
            Some(namespace),
            verb,
        )
        .await?
        {
            missing.push(MissingPermission {
                kind: "coordination.k8s.io/v1 Lease".into(),
                resource: "leases".into(),
                verb: verb.to_string(),
            });
        }
    }
    missing_if_any(missing)
}

fn missing_if_any(missing: Vec<MissingPermission>) -> Result<(), Error> {
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::MissingPermissions(missing))
    }
}

/// Asks the API server with a SelfSubjectAccessReview whether the client may `verb` the
/// resource `plural` of `group` in `namespace` (or cluster-wide).
async fn allowed(
    client: &Client,
    group: &str,
    plural: &str,
    namespace: Option<&str>,
    verb: &str,
) -> Result<bool, Error> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                group: Some(group.to_string()),
                resource: Some(plural.to_string()),
                verb: Some(verb.to_string()),
                namespace: namespace.map(str::to_string),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let answer = Api::<SelfSubjectAccessReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .map_err(Error::Preflight)?;
    Ok(answer.status.is_some_and(|status| status.allowed))
}
