//! The primary's lifecycle: failures read as one line, and a failure retrying cannot fix waits
//! for a change instead of being retried.

use std::time::Duration;

use kube::Api;
use kube::api::PostParams;
use kube_secondary::Trigger;

use crate::support::{Running, setup, wait_for};
use crate::trust::{Probe, Prober, change, probe};

#[tokio::test]
async fn a_child_refused_as_invalid_is_one_line_on_the_primary_and_not_retried_until_a_change() {
    let (client, ns) = setup::<Probe>("invalid").await;
    let operator = Running::start::<Probe, _>(&client, ns.name(), Prober);
    let probes: Api<Probe> = Api::namespaced(client.clone(), ns.name());
    let spec =
        serde_json::json!({ "selector": { "app": "p" }, "tls": [], "books": [], "port": 70000 });
    probes
        .create(&PostParams::default(), &probe("p", spec))
        .await
        .expect("create the Probe");
    let failed = || async {
        let probe = probes.get("p").await.expect("get the Probe");
        let conditions = probe.status.map(|s| s.conditions).unwrap_or_default();
        conditions
            .into_iter()
            .find(|c| c.type_ == "ReconcileFailed" && c.status == "True")
    };
    wait_for("the ReconcileFailed condition", || async {
        failed().await.is_some()
    })
    .await;
    let condition = failed().await.expect("the condition");
    let head = format!(
        "could not apply Service {}/p: Invalid: Service \"p\" is invalid: ",
        ns.name()
    );
    assert!(
        condition.message.starts_with(&head)
            && condition
                .message
                .contains("spec.ports[0].port: Invalid value: 70000")
            && !condition.message.contains('\n'),
        "one line with the API server's reason and message: {}",
        condition.message
    );
    assert!(
        !condition.message.contains("Status {"),
        "{}",
        condition.message
    );

    tokio::time::sleep(Duration::from_secs(15)).await;
    let waited = operator.snapshot();
    assert_eq!(
        (
            waited.wakeups(Trigger::Primary),
            waited.wakeups(Trigger::Retry),
            waited.errors
        ),
        (1, 0, 1),
        "one run, no retry, while nothing changes: {waited:?}"
    );

    change(&probes, "p", serde_json::json!({ "port": 8080 })).await;
    wait_for("the failure to clear", || async {
        failed().await.is_none()
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}
