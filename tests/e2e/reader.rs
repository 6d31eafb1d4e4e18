//! The example reader role of the primary-all API (`apiserver/deploy/50-example-reader.yaml`)
//! is aggregated to `view`: whoever views a namespace may read its primaries through the API,
//! in that namespace only.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, RoleBinding};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use kube_secondary_examples::database::Database;

use crate::support::{setup, user_binding, wait_for};

const READER: &str = include_str!("../../apiserver/deploy/50-example-reader.yaml");

/// Whether `user` may `get` `resource` of `group` in `namespace`.
async fn may_get(
    client: &Client,
    user: &str,
    group: &str,
    resource: &str,
    namespace: &str,
) -> bool {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.into()),
            groups: Some(vec!["system:authenticated".into()]),
            resource_attributes: Some(ResourceAttributes {
                verb: Some("get".into()),
                group: Some(group.into()),
                resource: Some(resource.into()),
                namespace: Some(namespace.into()),
                name: Some("orders".into()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    let api: Api<SubjectAccessReview> = Api::all(client.clone());
    let review = api.create(&PostParams::default(), &review).await;
    review.expect("a review").status.is_some_and(|s| s.allowed)
}

#[tokio::test]
async fn a_viewer_of_a_namespace_may_read_its_primaries_through_the_api_there_only() {
    let (client, ns) = setup::<Database>("reader").await;
    let (other_client, other) = setup::<Database>("reader-other").await;
    drop(other_client);
    let role: ClusterRole = serde_yaml::from_str(READER).expect("a ClusterRole");
    let roles: Api<ClusterRole> = Api::all(client.clone());
    let name = role.metadata.name.clone().expect("a name");
    roles
        .patch(
            &name,
            &PatchParams::apply("e2e").force(),
            &Patch::Apply(&role),
        )
        .await
        .expect("apply the reader role");
    let rule = role
        .rules
        .as_ref()
        .and_then(|rules| rules.first())
        .expect("a rule");
    let group = rule
        .api_groups
        .as_ref()
        .and_then(|g| g.first())
        .expect("a group");
    let resource = rule
        .resources
        .as_ref()
        .and_then(|r| r.first())
        .expect("a resource");

    let user = format!("viewer@{}", ns.name());
    let binding = user_binding("viewer", "ClusterRole", "view", &user);
    let bindings: Api<RoleBinding> = Api::namespaced(client.clone(), ns.name());
    bindings
        .create(&PostParams::default(), &binding)
        .await
        .expect("bind view");
    wait_for("view to include the primary-all reader role", || async {
        may_get(&client, &user, group, resource, ns.name()).await
    })
    .await;
    assert!(
        !may_get(&client, &user, group, resource, other.name()).await,
        "not in a namespace the user does not view"
    );
    roles
        .delete(&name, &DeleteParams::default())
        .await
        .expect("delete the reader role");
    other.delete().await;
    ns.delete().await;
}
