//! Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection` does it:
//! optimistic-concurrency writes of the Lease, expiry judged on the local clock from when a
//! holder's renewal was *observed* (so no two clocks are compared), and a leader that fences
//! itself: it stops leading when it has not renewed for the renew deadline, which is shorter than
//! the lease duration the others wait before taking over.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{ObjectMeta, PostParams};
use tokio::time::Instant;

/// Which Lease a controller's replicas compete for, who this replica is, and the timing.
///
/// ```
/// use std::time::Duration;
/// use kube_secondary::LeaderElection;
///
/// let election = LeaderElection::new("database-operator", "operators")
///     .identity("database-operator-7d9f-x2k4p") // default: $POD_NAME, else the host name
///     .timing(Duration::from_secs(15), Duration::from_secs(10), Duration::from_secs(2));
/// assert_eq!(election.identity_str(), "database-operator-7d9f-x2k4p");
/// ```
#[derive(Clone, Debug)]
pub struct LeaderElection {
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) identity: String,
    pub(crate) duration: Duration,
    pub(crate) renew_deadline: Duration,
    pub(crate) retry: Duration,
}

impl LeaderElection {
    /// Replicas compete for the Lease `name` in `namespace`, with client-go's timing: a 15 s
    /// lease, renewed every 2 s, given up after 10 s without a renewal.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>) -> Self {
        let identity = std::env::var("POD_NAME")
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| "kube-secondary".into());
        Self {
            name: name.into(),
            namespace: namespace.into(),
            identity: format!("{identity}_{:08x}", rand_suffix()),
            duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry: Duration::from_secs(2),
        }
    }

    /// This replica's name in the Lease's `holderIdentity`; unique among the replicas.
    #[must_use]
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = identity.into();
        self
    }

    /// The identity this replica writes into the Lease.
    pub fn identity_str(&self) -> &str {
        &self.identity
    }

    /// `duration`: how long the others wait, from the last renewal they observed, before taking
    /// the Lease over (a SIGKILLed leader is replaced after at most this). `renew_deadline`: how
    /// long the leader keeps leading without a successful renewal; it must be shorter than
    /// `duration`, and the difference bounds how late a partitioned leader's last write may land.
    /// `retry`: how often the leader renews and the others try to acquire (they also watch the
    /// Lease, and take a released one over at once). Checked by [`Controller::run`](crate::Controller::run):
    /// `retry < renew_deadline < duration`.
    #[must_use]
    pub fn timing(mut self, duration: Duration, renew_deadline: Duration, retry: Duration) -> Self {
        (self.duration, self.renew_deadline, self.retry) = (duration, renew_deadline, retry);
        self
    }

    /// The Lease's namespace, or why the timing cannot work.
    pub(crate) fn lease_namespace(&self) -> Result<&str, String> {
        if self.retry.is_zero()
            || self.retry >= self.renew_deadline
            || self.renew_deadline >= self.duration
        {
            return Err(format!(
                "leader election needs retry < renew deadline < lease duration, got {:?} / {:?} / {:?}",
                self.retry, self.renew_deadline, self.duration
            ));
        }
        Ok(&self.namespace)
    }
}

/// A pseudo-random suffix from the clock and the process id: two replicas started with the same
/// host name still differ.
fn rand_suffix() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id().rotate_left(16)
}

/// What a replica knows of the Lease: the last record it saw and when it saw it change.
#[derive(Default)]
pub(crate) struct Observed {
    record: Option<(Option<String>, Option<MicroTime>, Option<i32>)>,
    at: Option<Instant>,
    duration: Option<Duration>,
}

impl Observed {
    pub(crate) fn see(&mut self, spec: &LeaseSpec, now: Instant) {
        let record = (
            spec.holder_identity
                .clone()
                .filter(|holder| !holder.is_empty()),
            spec.renew_time.clone(),
            spec.lease_transitions,
        );
        if self.record.as_ref() != Some(&record) {
            self.record = Some(record);
            self.at = Some(now);
        }
        self.duration = (spec.lease_duration_seconds)
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map(Duration::from_secs);
    }

    /// Whether the holder seen last has gone `duration` (the Lease's, else ours) without a
    /// renewal observed here.
    fn expired(&self, ours: Duration, now: Instant) -> bool {
        self.expires_in(ours, now).is_zero()
    }

    /// How long a standby waits before its next attempt: none when nobody holds the Lease (it
    /// was released), else until the holder seen last will have gone its duration without a
    /// renewal, and a moment more so that it has.
    pub(crate) fn try_in(&self, ours: Duration, now: Instant) -> Duration {
        let released = matches!(&self.record, Some((None, ..)));
        if released {
            return Duration::ZERO;
        }
        self.expires_in(ours, now) + Duration::from_millis(10)
    }

    /// How long until the holder seen last will have gone its duration without a renewal.
    fn expires_in(&self, ours: Duration, now: Instant) -> Duration {
        let duration = self.duration.unwrap_or(ours);
        self.at.map_or(Duration::ZERO, |at| {
            (at + duration).saturating_duration_since(now)
        })
    }
}

/// One attempt of client-go's `tryAcquireOrRenew`: `Ok(())` when this replica holds the Lease
/// now, else `Err` with who does (if anyone is named).
pub(crate) async fn try_acquire_or_renew(
    api: &Api<Lease>,
    election: &LeaderElection,
    observed: &mut Observed,
) -> kube::Result<Result<(), Option<String>>> {
    let now = MicroTime(Timestamp::now());
    let seconds = i32::try_from(election.duration.as_secs()).unwrap_or(i32::MAX);
    let Some(lease) = api.get_opt(&election.name).await? else {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(election.name.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(election.identity.clone()),
                lease_duration_seconds: Some(seconds),
                acquire_time: Some(now.clone()),
                renew_time: Some(now),
                lease_transitions: Some(0),
                ..LeaseSpec::default()
            }),
        };
        return match api.create(&PostParams::default(), &lease).await {
            Ok(_) => Ok(Ok(())),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(Err(None)),
            Err(error) => Err(error),
        };
    };
    let spec = lease.spec.clone().unwrap_or_default();
    observed.see(&spec, Instant::now());
    let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
    let mine = holder.as_deref() == Some(election.identity.as_str());
    if holder.is_some() && !mine && !observed.expired(election.duration, Instant::now()) {
        return Ok(Err(holder));
    }
    let transitions = spec.lease_transitions.unwrap_or(0);
    let renewed = LeaseSpec {
        holder_identity: Some(election.identity.clone()),
        lease_duration_seconds: Some(seconds),
        acquire_time: if mine {
            spec.acquire_time
        } else {
            Some(now.clone())
        },
        renew_time: Some(now),
        lease_transitions: Some(if mine { transitions } else { transitions + 1 }),
        ..spec
    };
    let lease = Lease {
        metadata: lease.metadata,
        spec: Some(renewed),
    };
    // The resourceVersion in `metadata` makes this a compare-and-swap: a replica that wrote
    // the Lease in between wins, and this one gets 409.
    match api
        .replace(&election.name, &PostParams::default(), &lease)
        .await
    {
        Ok(written) => {
            observed.see(&written.spec.unwrap_or_default(), Instant::now());
            Ok(Ok(()))
        }
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(Err(holder)),
        Err(error) => Err(error),
    }
}

/// Gives the Lease up if this replica holds it, as client-go does on a graceful stop: no holder
/// and a 1 s duration, so a standby takes it at its next attempt instead of waiting it out.
pub(crate) async fn release(api: &Api<Lease>, election: &LeaderElection) -> kube::Result<()> {
    let Some(lease) = api.get_opt(&election.name).await? else {
        return Ok(());
    };
    let spec = lease.spec.clone().unwrap_or_default();
    if spec.holder_identity.as_deref() != Some(election.identity.as_str()) {
        return Ok(());
    }
    let released = Lease {
        metadata: lease.metadata,
        spec: Some(LeaseSpec {
            holder_identity: None,
            lease_duration_seconds: Some(1),
            renew_time: Some(MicroTime(Timestamp::now())),
            ..spec
        }),
    };
    api.replace(&election.name, &PostParams::default(), &released)
        .await
        .map(drop)
}

#[cfg(test)]
#[path = "leader_tests.rs"]
mod tests;
