//! The derive goes on a struct with named fields, not a tuple struct.

use k8s_openapi::api::apps::v1::Deployment;
use kube_secondary::SecondaryAware;

#[derive(SecondaryAware, Clone, Debug)]
#[secondary(Deployment)]
pub struct Database(String);

fn main() {}
