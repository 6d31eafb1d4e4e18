//! Generic types are not supported.

use k8s_openapi::api::apps::v1::Deployment;
use kube_secondary::SecondaryAware;

#[derive(SecondaryAware, Clone, Debug)]
#[secondary(Deployment)]
pub struct Database<T> {
    pub spec: T,
}

fn main() {}
