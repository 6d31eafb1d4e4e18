//! The derive goes on a struct, not an enum.

use k8s_openapi::api::apps::v1::Deployment;
use kube_secondary::SecondaryAware;

#[derive(SecondaryAware, Clone, Debug)]
#[secondary(Deployment)]
pub enum Database {
    Small,
    Large,
}

fn main() {}
