use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;

use super::*;

fn election() -> LeaderElection {
    LeaderElection::new("lock", "default").identity("me")
}

/// An API server that has no Lease, lets the first replica create it, then stops answering;
/// it never answers the Lease's list and watch (counted apart).
fn answers_once_then_hangs(requests: Arc<AtomicUsize>) -> Client {
    let service = tower::service_fn(move |request: Request<Body>| {
        let watching = request
            .uri()
            .query()
            .is_some_and(|query| query.contains("fieldSelector"));
        let n = if watching {
            usize::MAX
        } else {
            requests.fetch_add(1, Ordering::SeqCst)
        };
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
