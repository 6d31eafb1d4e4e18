//! The `replset` operator, shaped like the Percona MongoDB operator: a `ReplSet` owns a
//! StatefulSet, a headless and a client Service, a keyfile Secret and a PodDisruptionBudget; its
//! Pods carry no ownerReference to it and are found by the `app.kubernetes.io/instance` label.
//! It needs no timer: member Pods coming and going update the status through
//! `reconcile_secondaries`, and drift of any owned child is repaired the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Container, Pod, PodSpec, PodTemplateSpec, Secret, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::ObjectMeta;
use kube::{CustomResource, ResourceExt};
use kube_secondary::{Action, Context, Error, Reconciler, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::database::desired::{INSTANCE_LABEL, MANAGED_BY_LABEL};

/// The `app.kubernetes.io/managed-by` value of every child and Pod.
pub const MANAGER: &str = "replset-operator";

/// A replica set of database members.
#[derive(
    CustomResource,
    SecondaryAware,
    Clone,
    Debug,
    Default,
    PartialEq,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[kube(
    group = "demo.kube-secondary.dev",
    version = "v1",
    kind = "ReplSet",
    namespaced,
    status = "ReplSetStatus"
)]
#[secondary(StatefulSet)]
#[secondary(Service)]
#[secondary(Secret, metadata_only)]
#[secondary(PodDisruptionBudget)]
#[secondary(Pod, map = label("app.kubernetes.io/instance"), selector = "app.kubernetes.io/managed-by=replset-operator", field = members)]
pub struct ReplSetSpec {
    /// The member image.
    pub image: String,
    /// The number of members.
    pub size: i32,
}

/// What the operator observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReplSetStatus {
    /// Member Pods that exist.
    pub members: i32,
}

fn meta(rs: &ReplSet, name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: rs.namespace(),
        labels: Some(labels(rs)),
        ..ObjectMeta::default()
    }
}

fn labels(rs: &ReplSet) -> BTreeMap<String, String> {
    BTreeMap::from([
        (INSTANCE_LABEL.to_string(), rs.name_any()),
        (MANAGED_BY_LABEL.to_string(), MANAGER.to_string()),
    ])
}

fn selector(rs: &ReplSet) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels(rs)),
        ..LabelSelector::default()
    }
}

/// The StatefulSet running the members.
pub fn stateful_set(rs: &ReplSet) -> StatefulSet {
    StatefulSet {
        metadata: meta(rs, rs.name_any()),
        spec: StatefulSetSpec {
            replicas: Some(rs.spec.size),
            service_name: Some(format!("{}-headless", rs.name_any())),
            // Members start together; each joins the replica set on its own.
            pod_management_policy: Some("Parallel".into()),
            selector: selector(rs),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(rs)),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "member".into(),
                        image: Some(rs.spec.image.clone()),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..StatefulSetSpec::default()
        },
        ..StatefulSet::default()
    }
}

/// The headless Service (`headless = true`) giving members stable names, or the client Service.
pub fn service(rs: &ReplSet, headless: bool) -> Service {
    let name = if headless {
        format!("{}-headless", rs.name_any())
    } else {
        rs.name_any()
    };
    Service {
        metadata: meta(rs, name),
        spec: Some(ServiceSpec {
            cluster_ip: headless.then(|| "None".to_string()),
            selector: Some(labels(rs)),
            ports: Some(vec![ServicePort {
                name: Some("mongodb".into()),
                port: 27017,
                target_port: Some(IntOrString::Int(27017)),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The PodDisruptionBudget: at most one member down at a time.
pub fn pod_disruption_budget(rs: &ReplSet) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta(rs, rs.name_any()),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(selector(rs)),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

/// The replica set's internal keyfile, created once.
pub fn keyfile(rs: &ReplSet) -> Secret {
    let key: String = rs.uid().unwrap_or_default().replace('-', "");
    Secret {
        metadata: meta(rs, format!("{}-keyfile", rs.name_any())),
        data: Some(BTreeMap::from([(
            "keyfile".to_string(),
            ByteString(key.into_bytes()),
        )])),
        ..Secret::default()
    }
}

/// Creates and repairs the children of every `ReplSet`, and counts its member Pods. Any child
/// change runs the same code (the default `reconcile_secondaries`): children that match their
/// cached copies cost no request.
pub struct ReplSetOperator;

impl Reconciler<ReplSet> for ReplSetOperator {
    type Error = Error;

    async fn reconcile(
        &self,
        rs: Arc<ReplSet>,
        children: ReplSetSecondaries,
        ctx: &Context<ReplSet>,
    ) -> Result<Action, Error> {
        ctx.apply(stateful_set(&rs)).await?;
        ctx.apply_all([service(&rs, true), service(&rs, false)])
            .await?;
        ctx.apply(pod_disruption_budget(&rs)).await?;
        ctx.create_if_absent(keyfile(&rs)).await?;
        let members = children.members.len() as i32;
        ctx.patch_status(&ReplSetStatus { members }).await?;
        Ok(Action::await_change())
    }
}
