use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;

use super::*;

fn election() -> LeaderElection {
    LeaderElection::new("lock", "default").identity("me")
}

#[test]
fn the_timing_must_renew_before_the_deadline_and_give_up_before_the_others_take_over() {
    assert_eq!(election().lease_namespace(), Ok("default"));
    let s = Duration::from_secs;
    for (duration, deadline, retry) in [
        (s(10), s(10), s(2)),
        (s(15), s(10), s(10)),
        (s(15), s(10), s(0)),
    ] {
        let election = election().timing(duration, deadline, retry);
        assert!(
            election.lease_namespace().is_err(),
            "{duration:?} {deadline:?} {retry:?}"
        );
    }
}

fn held_by(holder: &str, renewed_at: i64, duration: i32) -> LeaseSpec {
    LeaseSpec {
        holder_identity: Some(holder.into()),
        renew_time: Some(MicroTime(Timestamp::from_second(renewed_at).unwrap())),
        lease_duration_seconds: Some(duration),
        ..LeaseSpec::default()
    }
}

#[test]
fn a_lease_expires_a_duration_after_its_last_renewal_was_seen_here_whatever_its_clock_says() {
    let ours = Duration::from_secs(15);
    let start = Instant::now();
    let mut observed = Observed::default();
    assert!(observed.expired(ours, start), "never seen: free to try");
    // A renewal time far in the past (another node's clock) does not make it expired.
    observed.see(&held_by("other", 0, 15), start);
    assert!(!observed.expired(ours, start + Duration::from_secs(14)));
    // Seen again unchanged: the clock keeps running from the first sighting.
    observed.see(&held_by("other", 0, 15), start + Duration::from_secs(10));
    assert!(observed.expired(ours, start + Duration::from_secs(15)));
    // A renewal seen restarts it; the Lease's own duration counts.
    observed.see(&held_by("other", 20, 30), start + Duration::from_secs(16));
    assert!(!observed.expired(ours, start + Duration::from_secs(45)));
    assert!(observed.expired(ours, start + Duration::from_secs(46)));
}

/// An API server that has no Lease, lets the first replica create it, then stops answering.
fn answers_once_then_hangs(requests: Arc<AtomicUsize>) -> Client {
    let service = tower::service_fn(move |request: Request<Body>| {
        let n = requests.fetch_add(1, Ordering::SeqCst);
        async move {
            let (status, body) = match (n, request.method()) {
                (0, &Method::GET) => (
                    StatusCode::NOT_FOUND,
                    serde_json::json!({
                        "kind": "Status", "apiVersion": "v1", "status": "Failure",
                        "reason": "NotFound", "code": 404, "message": "not found"
                    }),
                ),
                (1, &Method::POST) => (
                    StatusCode::CREATED,
                    serde_json::json!({
                        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": { "name": "lock", "namespace": "default", "resourceVersion": "1" },
                        "spec": { "holderIdentity": "me", "leaseDurationSeconds": 15 }
                    }),
                ),
                _ => std::future::pending().await,
            };
            let body = Body::from(serde_json::to_vec(&body).unwrap());
            Ok::<_, std::io::Error>(Response::builder().status(status).body(body).unwrap())
        }
    });
    Client::new(service, "default")
}

#[tokio::test(start_paused = true)]
async fn a_leader_that_cannot_renew_stops_leading_at_the_renew_deadline_before_the_lease_expires() {
    let requests = Arc::new(AtomicUsize::new(0));
    let client = answers_once_then_hangs(requests.clone());
    let (tx, mut leading) = watch::channel(false);
    let started = Instant::now();
    let task = tokio::spawn(elect(client, election(), tx));
    leading.wait_for(|leading| *leading).await.unwrap();
    let acquired = started.elapsed();
    assert!(acquired < Duration::from_secs(1), "{acquired:?}");
    leading.wait_for(|leading| !*leading).await.unwrap();
    let lost = started.elapsed();
    assert!(
        lost >= Duration::from_secs(10) && lost < Duration::from_secs(11),
        "fenced at the renew deadline after the acquiring request was sent, not {lost:?}"
    );
    assert!(
        requests.load(Ordering::SeqCst) >= 3,
        "it kept trying to renew meanwhile"
    );
    task.abort();
}
