//! The Probe operator the trust and lifecycle tests attack: a `Probe` owns a Service, a
//! Deployment, a password Secret made once, TLS Secrets and book ConfigMaps applied as sets, and a
//! settings ConfigMap, each from its spec.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, PodSecurityContext, PodSpec, PodTemplateSpec, Secret, Service,
    ServicePort, ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{ObjectMeta, Patch, PatchParams};
use kube::{Api, CustomResource, ResourceExt};
use kube_secondary::{Action, Context, Error, Reconciler, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A primary whose next version may change its children in every way an operator's does.
#[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "trust.kube-secondary.dev",
    version = "v1",
    kind = "Probe",
    namespaced,
    status = "ProbeStatus"
)]
#[serde(rename_all = "camelCase")]
#[secondary(Service)]
#[secondary(Deployment)]
#[secondary(Secret)]
#[secondary(ConfigMap)]
pub struct ProbeSpec {
    /// The Service's selector (an atomic map).
    selector: BTreeMap<String, String>,
    /// The Pods' `securityContext.runAsUser`, when set.
    run_as_user: Option<i64>,
    /// TLS Secrets, applied as a set beside the generated password Secret.
    tls: Vec<String>,
    /// ConfigMaps applied as a set beside the `settings` ConfigMap applied alone.
    books: Vec<String>,
    /// The Service's port (80 when unset).
    #[serde(default)]
    port: Option<i32>,
}

/// Where the runtime shows a failure.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ProbeStatus {
    #[serde(default)]
    pub conditions: Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition>,
}

pub(crate) struct Prober;

pub(crate) fn named(name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        ..ObjectMeta::default()
    }
}

fn deployment(probe: &Probe) -> Deployment {
    let labels = BTreeMap::from([("app".to_string(), probe.name_any())]);
    Deployment {
        metadata: named(probe.name_any()),
        spec: DeploymentSpec {
            replicas: Some(0),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    security_context: probe.spec.run_as_user.map(|user| PodSecurityContext {
                        run_as_user: Some(user),
                        ..PodSecurityContext::default()
                    }),
                    containers: vec![Container {
                        name: "app".into(),
                        image: Some("busybox".into()),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

impl Reconciler<Probe> for Prober {
    type Error = Error;

    async fn reconcile(
        &self,
        probe: std::sync::Arc<Probe>,
        _children: ProbeSecondaries,
        ctx: &Context<Probe>,
    ) -> Result<Action, Error> {
        let name = probe.name_any();
        ctx.apply(Service {
            metadata: named(name.clone()),
            spec: Some(ServiceSpec {
                selector: Some(probe.spec.selector.clone()),
                ports: Some(vec![ServicePort {
                    port: probe.spec.port.unwrap_or(80),
                    ..ServicePort::default()
                }]),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        })
        .await?;
        ctx.apply(deployment(&probe)).await?;
        ctx.create_if_absent(Secret {
            metadata: named(format!("{name}-password")),
            string_data: Some(BTreeMap::from([("password".into(), uuid())])),
            ..Secret::default()
        })
        .await?;
        let tls = probe.spec.tls.iter().map(|host| Secret {
            metadata: named(format!("{name}-tls-{host}")),
            data: Some(BTreeMap::from([(
                "host".to_string(),
                ByteString(host.as_bytes().to_vec()),
            )])),
            ..Secret::default()
        });
        ctx.apply_all(tls).await?;
        ctx.apply(ConfigMap {
            metadata: named(format!("{name}-settings")),
            data: Some(BTreeMap::from([("mode".into(), "on".into())])),
            ..ConfigMap::default()
        })
        .await?;
        let books = probe.spec.books.iter().map(|book| ConfigMap {
            metadata: named(format!("{name}-{book}")),
            data: Some(BTreeMap::from([("title".into(), book.clone())])),
            ..ConfigMap::default()
        });
        ctx.apply_all(books).await?;
        Ok(Action::await_change())
    }
}

/// A value that differs on every call, as a generated password does.
fn uuid() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_nanos();
    format!("{nanos:x}")
}

pub(crate) fn probe(name: &str, spec: serde_json::Value) -> Probe {
    let spec: ProbeSpec = serde_json::from_value(spec).expect("a ProbeSpec");
    Probe::new(name, spec)
}

pub(crate) async fn change(api: &Api<Probe>, name: &str, spec: serde_json::Value) {
    let patch = serde_json::json!({ "spec": spec });
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("change the Probe's spec");
}
