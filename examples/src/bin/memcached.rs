//! Runs the `memcached` operator:
//! `cargo run -p kube-secondary-examples --bin memcached -- --install-crd --metrics-addr 127.0.0.1:9091`.

use futures::FutureExt;
use kube_secondary::Controller;
use kube_secondary::client::counting_client;
use kube_secondary::crd::install_crd;
use kube_secondary_examples::memcached::{FINALIZER, Memcached, MemcachedOperator};
use kube_secondary_examples::support::{Flags, init_tracing};
use prometheus_client::registry::Registry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let flags = Flags::from_env()?;
    if flags.print_rbac {
        let role = kube_secondary::rbac::cluster_role_yaml::<Memcached>("memcached-operator");
        print!("{role}");
        return Ok(());
    }
    let (client, requests) = counting_client(kube::Config::infer().await?)?;
    if flags.install_crd {
        install_crd::<Memcached>(&client, "memcached-operator").await?;
    }
    let mut controller = Controller::<Memcached>::new(client)
        .finalizer(FINALIZER)
        .shutdown_on(tokio::signal::ctrl_c().map(drop));
    if let Some(namespace) = flags.namespace {
        controller = controller.namespace(namespace);
    }
    if let Some(addr) = flags.metrics_addr {
        let mut registry = Registry::default();
        requests.register(&mut registry);
        controller = controller.serve_endpoints(addr, registry);
    }
    controller.run(MemcachedOperator).await?;
    Ok(())
}
