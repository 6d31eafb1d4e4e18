//! The Kubebuilder tutorial's CronJob operator in kube-secondary form: a `CronJob` owns the Jobs
//! it starts on its schedule. The schedule is legitimate time-based work, so `reconcile` asks to
//! run again at the next scheduled time (`Action::requeue`); a Job finishing runs only the cheap
//! `reconcile_secondaries`, which refreshes the status and prunes old Jobs. The Jobs' predicate
//! (`generation | finishing`) ignores the status updates of a running Job.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use kube::api::ObjectMeta;
use kube::{CustomResource, Resource, ResourceExt};
use kube_secondary::{Action, Changes, Context, Error, Reconciler, SecondaryAware};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The annotation holding the time a Job was scheduled for.
pub const SCHEDULED_AT: &str = "batch.demo.kube-secondary.dev/scheduled-at";

/// Runs a Job on a cron schedule.
#[derive(
    CustomResource, SecondaryAware, Clone, Debug, Default, Serialize, Deserialize, JsonSchema,
)]
#[kube(
    group = "demo.kube-secondary.dev",
    version = "v1",
    kind = "CronJob",
    namespaced,
    status = "CronJobStatus"
)]
#[serde(rename_all = "camelCase")]
#[secondary(Job, predicate = generation | finishing)]
pub struct CronJobSpec {
    /// A cron expression with seconds: `sec min hour day-of-month month day-of-week [year]`.
    pub schedule: String,
    /// The Job to run.
    pub job_template: JobSpec,
    /// Stop starting new Jobs.
    #[serde(default)]
    pub suspend: bool,
    /// Finished Jobs to keep.
    #[serde(default = "default_history")]
    pub history_limit: usize,
}

fn default_history() -> usize {
    3
}

/// What the operator observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CronJobStatus {
    /// Jobs still running.
    #[serde(default)]
    pub active: Vec<String>,
    /// The last time a Job was started (RFC 3339).
    #[serde(default)]
    pub last_schedule_time: Option<String>,
    /// Why the schedule cannot be used, if it cannot; written as `null` when it can, which the
    /// status merge patch reads as "remove".
    #[serde(default)]
    pub schedule_error: Option<String>,
}

/// The Jobs' predicate: besides spec changes (`generation`), wake when a Job finishes. Progress
/// of a running Job (its active and ready Pod counts) is not worth a wake-up.
fn finishing(job: &Job) -> Option<u64> {
    Some(u64::from(finished(job)))
}

fn finished(job: &Job) -> bool {
    let conditions = job.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions.is_some_and(|cs| {
        cs.iter()
            .any(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
    })
}

fn scheduled_at(job: &Job) -> Option<DateTime<Utc>> {
    job.annotations()
        .get(SCHEDULED_AT)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The schedule, or why it is not one.
fn parse(cj: &CronJob) -> Result<cron::Schedule, String> {
    cron::Schedule::from_str(&cj.spec.schedule).map_err(|error| {
        format!(
            "spec.schedule `{}` is not a cron expression: {error}",
            cj.spec.schedule
        )
    })
}

/// Creates Jobs on schedule, reports the active ones, and keeps `history_limit` finished Jobs.
pub struct CronJobOperator;

impl CronJobOperator {
    /// Writes the status and deletes finished Jobs beyond the history limit.
    async fn tidy(
        &self,
        cj: &CronJob,
        jobs: &[Arc<Job>],
        started: Option<DateTime<Utc>>,
        error: Option<String>,
        ctx: &Context<CronJob>,
    ) -> Result<(), Error> {
        let mut done: Vec<&Arc<Job>> = jobs.iter().filter(|job| finished(job)).collect();
        done.sort_by_key(|job| std::cmp::Reverse(scheduled_at(job)));
        for old in done.iter().skip(cj.spec.history_limit) {
            ctx.delete(old.as_ref()).await?;
        }
        let current = cj.status.clone().unwrap_or_default();
        let status = CronJobStatus {
            active: jobs
                .iter()
                .filter(|job| !finished(job))
                .map(|job| job.name_any())
                .collect(),
            last_schedule_time: started
                .map(|t| t.to_rfc3339())
                .or(current.last_schedule_time.clone()),
            schedule_error: error,
        };
        ctx.patch_status(&status).await
    }
}

impl Reconciler<CronJob> for CronJobOperator {
    type Error = Error;

    async fn reconcile(
        &self,
        cj: Arc<CronJob>,
        children: CronJobSecondaries,
        ctx: &Context<CronJob>,
    ) -> Result<Action, Error> {
        let schedule = match parse(&cj) {
            Ok(schedule) => schedule,
            Err(message) => {
                self.tidy(&cj, &children.jobs, None, Some(message), ctx)
                    .await?;
                return Ok(Action::await_change());
            }
        };
        let now = Utc::now();
        let last = children
            .jobs
            .iter()
            .filter_map(|job| scheduled_at(job))
            .max();
        let since = last
            .or_else(|| {
                cj.meta()
                    .creation_timestamp
                    .as_ref()
                    .and_then(|t| DateTime::from_timestamp(t.0.as_second(), 0))
            })
            .unwrap_or(now);
        // The latest missed run only, as the Kubebuilder tutorial does.
        let due = schedule.after(&since).take_while(|t| *t <= now).last();
        let mut started = None;
        if let Some(at) = due.filter(|_| !cj.spec.suspend) {
            let job = Job {
                metadata: ObjectMeta {
                    name: Some(format!("{}-{}", cj.name_any(), at.timestamp())),
                    annotations: Some(BTreeMap::from([(
                        SCHEDULED_AT.to_string(),
                        at.to_rfc3339(),
                    )])),
                    ..ObjectMeta::default()
                },
                spec: Some(cj.spec.job_template.clone()),
                ..Job::default()
            };
            ctx.create_if_absent(job).await?;
            started = Some(at);
        }
        // The Job just created is active: read the children again, own writes included.
        let jobs = if started.is_some() {
            ctx.secondaries().jobs
        } else {
            children.jobs
        };
        self.tidy(&cj, &jobs, started, None, ctx).await?;
        match schedule.after(&now).next() {
            Some(next) if !cj.spec.suspend => Ok(Action::requeue(
                (next - now).to_std().unwrap_or(Duration::ZERO),
            )),
            _ => Ok(Action::await_change()),
        }
    }

    async fn reconcile_secondaries(
        &self,
        cj: Arc<CronJob>,
        children: CronJobSecondaries,
        _changes: &Changes<CronJobSecondaryKind>,
        ctx: &Context<CronJob>,
    ) -> Result<Action, Error> {
        self.tidy(&cj, &children.jobs, None, parse(&cj).err(), ctx)
            .await?;
        Ok(Action::await_change())
    }
}
