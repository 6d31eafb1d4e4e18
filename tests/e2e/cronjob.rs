//! The `cronjob` example: time-based work through `Action::requeue`, Jobs watched as children.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary::Trigger;
use kube_secondary_examples::cronjob::{CronJob, CronJobOperator, CronJobSpec, SCHEDULED_AT};

use crate::support::{Running, setup, wait_for};

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

/// Creates the CronJob `tick` running every two seconds and keeping `history_limit` finished Jobs.
async fn create(client: &Client, namespace: &str, history_limit: usize) -> CronJob {
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), namespace);
    let mut spec = every_two_seconds();
    spec.history_limit = history_limit;
    cronjobs
        .create(&PostParams::default(), &CronJob::new("tick", spec))
        .await
        .expect("create CronJob")
}

async fn jobs(api: &Api<Job>) -> Vec<Job> {
    api.list(&Default::default()).await.expect("list").items
}

async fn wait_for_jobs(api: &Api<Job>, at_least: usize) {
    wait_for(&format!("{at_least} scheduled Jobs"), || async {
        jobs(api).await.len() >= at_least
    })
    .await;
}

/// Suspends `tick` and waits until a run that was already under way had time to finish.
async fn suspend(client: &Client, namespace: &str) {
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), namespace);
    let suspend = serde_json::json!({ "spec": { "suspend": true } });
    cronjobs
        .patch("tick", &PatchParams::default(), &Patch::Merge(&suspend))
        .await
        .expect("suspend");
    tokio::time::sleep(Duration::from_secs(3)).await;
}

/// Marks `job` as finished the way the Job controller does once its Pods succeeded.
///
/// The Job controller sets `status.startTime` itself, and the API server refuses to move it
/// once set, so this waits for the controller's value and keeps it.
async fn complete(api: &Api<Job>, job: &Job) {
    let name = job.name_any();
    let start_time = || async {
        let job = api.get(&name).await.expect("get Job");
        job.status.and_then(|s| s.start_time)
    };
    wait_for("the Job controller to set status.startTime", || async {
        start_time().await.is_some()
    })
    .await;
    let started = start_time()
        .await
        .expect("startTime once set stays")
        .0
        .to_string();
    let now = Utc::now().to_rfc3339();
    let condition = |type_: &str| {
        serde_json::json!({ "type": type_, "status": "True", "reason": "CompletionsReached",
            "lastProbeTime": now, "lastTransitionTime": now })
    };
    let status = serde_json::json!({ "status": {
        "startTime": started, "completionTime": now,
        "active": 0, "ready": 0, "succeeded": 1,
        "conditions": [condition("SuccessCriteriaMet"), condition("Complete")],
    } });
    api.patch_status(
        &job.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&status),
    )
    .await
    .unwrap_or_else(|e| panic!("mark Job {} complete: {e}", job.name_any()));
}

fn scheduled_at(job: &Job) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&job.annotations()[SCHEDULED_AT])
        .expect("scheduled-at is RFC 3339")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn starts_jobs_on_schedule_and_stops_when_suspended() {
    let (client, ns) = setup::<CronJob>("cronjob").await;
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);
    let cj = create(&client, ns.name(), 3).await;
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), ns.name());
    let job_api: Api<Job> = Api::namespaced(client.clone(), ns.name());
    wait_for_jobs(&job_api, 2).await;
    for job in jobs(&job_api).await {
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

    suspend(&client, ns.name()).await;
    let count = jobs(&job_api).await.len();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        jobs(&job_api).await.len(),
        count,
        "no Job started while suspended"
    );

    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn finished_jobs_update_the_status_through_reconcile_secondaries_and_noise_wakes_nothing() {
    let (client, ns) = setup::<CronJob>("cronjob-finish").await;
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);
    create(&client, ns.name(), 1).await;
    let job_api: Api<Job> = Api::namespaced(client.clone(), ns.name());
    wait_for_jobs(&job_api, 3).await;
    suspend(&client, ns.name()).await;
    let before = operator.settled().await;

    // Suspended, the CronJob has no time-based work; labels of a Job and its running status
    // are outside the Jobs' predicate (`generation | finishing`).
    let running = jobs(&job_api).await;
    let noise = serde_json::json!({ "metadata": { "labels": { "team": "e2e" } } });
    job_api
        .patch(
            &running[0].name_any(),
            &PatchParams::default(),
            &Patch::Merge(&noise),
        )
        .await
        .expect("label a Job");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle = operator.snapshot();
    assert_eq!(
        idle.wakeups, before.wakeups,
        "idle time and a Job's label change woke the operator: {idle:?}"
    );
    assert!(
        idle.filtered.get("Job") > before.filtered.get("Job"),
        "the label change was seen and filtered: {idle:?}"
    );

    for job in &running {
        complete(&job_api, job).await;
    }
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), ns.name());
    wait_for("status.active to be empty", || async {
        cronjobs
            .get("tick")
            .await
            .expect("get")
            .status
            .is_some_and(|s| s.active.is_empty())
    })
    .await;
    wait_for(
        "finished Jobs beyond the history limit of 1 to be deleted",
        || async { jobs(&job_api).await.len() == 1 },
    )
    .await;
    let newest = running.iter().map(scheduled_at).max();
    assert_eq!(
        jobs(&job_api).await.iter().map(scheduled_at).max(),
        newest,
        "the newest finished Job is kept"
    );
    let after = operator.settled().await;
    assert!(
        after.wakeups(Trigger::Secondary) > before.wakeups(Trigger::Secondary),
        "finishing Jobs ran reconcile_secondaries: {after:?}"
    );
    assert_eq!(
        after.wakeups(Trigger::Primary),
        before.wakeups(Trigger::Primary),
        "finishing Jobs did not need the full reconcile: {after:?}"
    );
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn deleting_the_cronjob_lets_the_garbage_collector_remove_its_jobs() {
    let (client, ns) = setup::<CronJob>("cronjob-gc").await;
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);
    create(&client, ns.name(), 3).await;
    let job_api: Api<Job> = Api::namespaced(client.clone(), ns.name());
    wait_for_jobs(&job_api, 2).await;
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), ns.name());
    cronjobs
        .delete("tick", &DeleteParams::default())
        .await
        .expect("delete CronJob");
    wait_for("the garbage collector to remove the Jobs", || async {
        jobs(&job_api).await.is_empty()
    })
    .await;
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_restarted_operator_starts_only_the_latest_missed_run() {
    let (client, ns) = setup::<CronJob>("cronjob-restart").await;
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);
    create(&client, ns.name(), 10).await;
    let job_api: Api<Job> = Api::namespaced(client.clone(), ns.name());
    wait_for_jobs(&job_api, 2).await;
    operator.stop().await;
    let stopped = Utc::now();
    let before: BTreeSet<String> = jobs(&job_api).await.iter().map(|j| j.name_any()).collect();

    // Three or more runs are missed while the operator is down.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let restarted = Utc::now();
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);
    wait_for("a Job for a run missed while down", || async {
        jobs(&job_api)
            .await
            .iter()
            .any(|job| scheduled_at(job) > stopped)
    })
    .await;
    suspend(&client, ns.name()).await;

    let all = jobs(&job_api).await;
    let times: BTreeSet<DateTime<Utc>> = all.iter().map(scheduled_at).collect();
    assert_eq!(
        times.len(),
        all.len(),
        "one Job per scheduled time: {all:?}"
    );
    let missed = all
        .iter()
        .filter(|job| scheduled_at(job) > stopped && scheduled_at(job) <= restarted)
        .count();
    assert!(
        missed <= 1,
        "only the latest missed run starts after a restart, not each of them ({missed} did)"
    );
    assert!(
        before
            .iter()
            .all(|name| all.iter().any(|job| &job.name_any() == name)),
        "the Jobs from before the restart are kept, not replaced"
    );
    operator.stop().await;
    ns.delete().await;
}

#[tokio::test]
async fn a_job_just_started_is_listed_as_active_at_once_and_gone_when_it_finishes() {
    let (client, ns) = setup::<CronJob>("cronjob-active").await;
    let operator = Running::start::<CronJob, _>(&client, ns.name(), CronJobOperator);
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), ns.name());
    let job_api: Api<Job> = Api::namespaced(client.clone(), ns.name());
    // One run only, a few seconds from now: nothing but the Job's own start can list it.
    let at = Utc::now() + chrono::Duration::seconds(5);
    let mut spec = every_two_seconds();
    spec.schedule = at.format("%S %M %H %d %m * %Y").to_string();
    cronjobs
        .create(&PostParams::default(), &CronJob::new("tick", spec))
        .await
        .expect("create CronJob");
    wait_for_jobs(&job_api, 1).await;
    let started = jobs(&job_api).await.remove(0);
    let active = || async {
        let status = cronjobs.get("tick").await.expect("get").status;
        status.map(|s| s.active).unwrap_or_default()
    };
    wait_for("status.active to list the Job just started", || async {
        active().await == vec![started.name_any()]
    })
    .await;

    complete(&job_api, &started).await;
    wait_for("status.active to be empty", || async {
        active().await.is_empty()
    })
    .await;

    operator.stop().await;
    ns.delete().await;
}
