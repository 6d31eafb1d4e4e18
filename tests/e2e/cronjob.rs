//! The `cronjob` example: time-based work through `Action::requeue`, Jobs watched as children.

use std::time::Duration;

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use kube::api::{Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use kube_secondary::Trigger;
use kube_secondary_examples::cronjob::{CronJob, CronJobOperator, CronJobSpec};
use kube_secondary_examples::support::install_crd;

use crate::support::{Running, TestNamespace, client, wait_for};

fn every_two_seconds() -> CronJobSpec {
    CronJobSpec {
        schedule: "*/2 * * * * *".into(),
        job_template: JobSpec {
            template: PodTemplateSpec {
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "hello".into(),
                        image: Some("busybox".into()),
                        ..Container::default()
                    }],
                    restart_policy: Some("Never".into()),
                    ..PodSpec::default()
                }),
                ..PodTemplateSpec::default()
            },
            ..JobSpec::default()
        },
        suspend: false,
        history_limit: 3,
    }
}

#[tokio::test]
async fn starts_jobs_on_schedule_and_stops_when_suspended() {
    let client = client().await;
    install_crd::<CronJob>(&client)
        .await
        .expect("install the CronJob CRD");
    let ns = TestNamespace::new(&client, "cronjob").await;
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);

    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), ns.name());
    let cj = cronjobs
        .create(
            &PostParams::default(),
            &CronJob::new("tick", every_two_seconds()),
        )
        .await
        .expect("create CronJob");
    let jobs: Api<Job> = Api::namespaced(client.clone(), ns.name());
    wait_for("two scheduled Jobs", || async {
        jobs.list(&Default::default())
            .await
            .expect("list")
            .items
            .len()
            >= 2
    })
    .await;
    for job in jobs.list(&Default::default()).await.expect("list").items {
        let owner = &job.owner_references()[0];
        assert_eq!(
            (owner.uid.as_str(), owner.controller),
            (cj.uid().unwrap().as_str(), Some(true))
        );
    }
    assert!(
        operator.snapshot().wakeups(Trigger::Requeue) >= 1,
        "the schedule runs through Action::requeue: {:?}",
        operator.snapshot()
    );
    wait_for("status.active to list the Jobs", || async {
        cronjobs
            .get("tick")
            .await
            .expect("get")
            .status
            .is_some_and(|s| s.active.len() >= 2)
    })
    .await;

    let suspend = serde_json::json!({ "spec": { "suspend": true } });
    cronjobs
        .patch("tick", &PatchParams::default(), &Patch::Merge(&suspend))
        .await
        .expect("suspend");
    // Let a run that was already under way finish, then nothing new may start.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let count = jobs
        .list(&Default::default())
        .await
        .expect("list")
        .items
        .len();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        jobs.list(&Default::default())
            .await
            .expect("list")
            .items
            .len(),
        count,
        "no Job started while suspended"
    );

    operator.stop().await;
    ns.delete().await;
}
