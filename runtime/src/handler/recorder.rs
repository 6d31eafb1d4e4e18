//! Sends an Event as kube-runtime's `Recorder` does (an `events.k8s.io/v1` Event; a repeat of it
//! within six minutes counted in the first one's `series` instead of another object), with a
//! bounded memory of what it sent.
//!
//! kube-runtime's `Recorder` keeps every Event it sent in the last six minutes whole, each with
//! its key (about 3 KB): a cold start that creates 4,000 children held about 12 MB of Events for
//! six minutes, more than the caches of those children. Here a repeat is found by a hash of
//! what makes two Events the same (kube-runtime's key: type, reason, action, the reporter, the
//! object regarded and the related one), and only when the sent Event was made (its name is the
//! regarded object's and that time), how often and when it last happened are kept, for at most
//! 4,096 Events (client-go's correlator keeps as many, in a least-recently-used cache too) and six
//! minutes each: 32 bytes an Event, with the LRU's own table and list.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event as K8sEvent, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Patch, PatchParams, PostParams};
use kube::runtime::events::{Event, EventType, Reporter};
use kube::{Api, Client};

/// How long a sent Event is remembered: a repeat within it is counted in the Event's series.
const SERIES_FOR: Duration = Duration::from_secs(6 * 60);

/// How many sent Events are remembered at most; the least recently used go first.
const REMEMBERED: NonZeroUsize = NonZeroUsize::new(4096).expect("not zero");

/// An Event sent, as a repeat of it needs it: when it was made (its name ends in that time), how
/// often it happened, and when last.
#[derive(Clone, Copy)]
struct Sent {
    made: i128,
    count: i32,
    last: Instant,
}

/// Sends Events for one reporter, counting repeats in series.
#[derive(Clone)]
pub(crate) struct Recorder {
    client: Client,
    reporter: Reporter,
    sent: Arc<Mutex<lru::LruCache<u64, Sent>>>,
}

impl Recorder {
    pub(crate) fn new(client: Client, reporter: Reporter) -> Self {
        Self {
            client,
            reporter,
            sent: Arc::new(Mutex::new(lru::LruCache::new(REMEMBERED))),
        }
    }

    /// The Event sent as `key` in the last six minutes, if any.
    fn remembered(&self, key: u64) -> Option<Sent> {
        let mut sent = self.sent.lock().expect("event memory lock poisoned");
        let found = sent.get(&key).copied()?;
        if found.last.elapsed() < SERIES_FOR {
            return Some(found);
        }
        sent.pop(&key);
        None
    }

    /// The name of an Event about `regarding` made at `made` (nanoseconds since the epoch).
    fn name(&self, regarding: &ObjectReference, made: i128) -> String {
        let named = regarding.name.as_ref().unwrap_or(&self.reporter.controller);
        format!("{named}.{made:x}")
    }

    /// What makes two Events the same one happening again.
    fn key(&self, event: &Event, regarding: &ObjectReference) -> u64 {
        let mut hasher = DefaultHasher::new();
        (event.type_ == EventType::Warning).hash(&mut hasher);
        (&event.reason, &event.action).hash(&mut hasher);
        (&self.reporter.controller, &self.reporter.instance).hash(&mut hasher);
        for object in std::iter::once(Some(regarding)).chain([event.secondary.as_ref()]) {
            object
                .map(|o| (&o.api_version, &o.kind, &o.namespace, &o.name, &o.uid))
                .hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Sends `event` about `regarding`, in its namespace (`default` for a cluster-scoped object):
    /// a new Event, or the count of the same one sent in the last six minutes, one higher.
    pub(crate) async fn publish(
        &self,
        event: &Event,
        regarding: &ObjectReference,
    ) -> kube::Result<()> {
        let namespace = regarding.namespace.as_deref().unwrap_or("default");
        let events: Api<K8sEvent> = Api::namespaced(self.client.clone(), namespace);
        let key = self.key(event, regarding);
        let now = MicroTime(Timestamp::now());
        let sent = match self.remembered(key) {
            Some(Sent { made, count, .. }) => {
                let count = count + 1;
                let series = EventSeries {
                    count,
                    last_observed_time: now,
                };
                let patch = serde_json::json!({ "series": series });
                let name = self.name(regarding, made);
                events
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
                Sent {
                    made,
                    count,
                    last: Instant::now(),
                }
            }
            None => {
                let made = now.0.as_nanosecond();
                let name = self.name(regarding, made);
                events
                    .create(
                        &PostParams::default(),
                        &self.new_event(event, regarding, now, name),
                    )
                    .await?;
                Sent {
                    made,
                    count: 1,
                    last: Instant::now(),
                }
            }
        };
        self.sent
            .lock()
            .expect("event memory lock poisoned")
            .put(key, sent);
        Ok(())
    }

    /// The Event kube-runtime's `Recorder` would create, named `name`.
    fn new_event(
        &self,
        event: &Event,
        regarding: &ObjectReference,
        now: MicroTime,
        name: String,
    ) -> K8sEvent {
        let controller = &self.reporter.controller;
        K8sEvent {
            action: Some(event.action.clone()),
            reason: Some(event.reason.clone()),
            event_time: Some(now.clone()),
            regarding: Some(regarding.clone()),
            note: event.note.clone(),
            metadata: ObjectMeta {
                namespace: regarding.namespace.clone(),
                name: Some(name),
                ..ObjectMeta::default()
            },
            reporting_controller: Some(controller.clone()),
            reporting_instance: Some(self.reporter.instance.clone().unwrap_or(controller.clone())),
            type_: Some(match event.type_ {
                EventType::Normal => "Normal".into(),
                EventType::Warning => "Warning".into(),
            }),
            related: event.secondary.clone(),
            ..K8sEvent::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use http::{Method, Request, Response, StatusCode};
    use kube::client::Body;
    use serde_json::Value;

    use super::*;

    fn recorder() -> Recorder {
        let service = tower::service_fn(|_: http::Request<kube::client::Body>| {
            futures::future::pending::<Result<http::Response<kube::client::Body>, std::io::Error>>()
        });
        let reporter = Reporter {
            controller: "test-controller".into(),
            instance: None,
        };
        Recorder::new(Client::new(service, "default"), reporter)
    }

    fn object(kind: &str, name: &str) -> ObjectReference {
        ObjectReference {
            kind: Some(kind.into()),
            name: Some(name.into()),
            namespace: Some("ns".into()),
            ..ObjectReference::default()
        }
    }

    fn event(reason: &str, note: &str, related: Option<ObjectReference>) -> Event {
        Event {
            type_: EventType::Normal,
            reason: reason.into(),
            note: Some(note.into()),
            action: reason.into(),
            secondary: related,
        }
    }

    #[tokio::test]
    async fn the_same_event_again_has_the_same_key_whatever_its_note() {
        let recorder = recorder();
        let db = object("Database", "db");
        let service = Some(object("Service", "db"));
        let first = recorder.key(&event("Repaired", "spec.ports", service.clone()), &db);
        let again = recorder.key(&event("Repaired", "spec.selector", service.clone()), &db);
        assert_eq!(first, again, "kube-runtime's key leaves the note out too");
        let other_child = recorder.key(&event("Repaired", "x", Some(object("Service", "b"))), &db);
        let other_reason = recorder.key(&event("Created", "x", service.clone()), &db);
        let other_primary =
            recorder.key(&event("Repaired", "x", service), &object("Database", "b"));
        assert_ne!(first, other_child);
        assert_ne!(first, other_reason);
        assert_ne!(first, other_primary);
    }

    /// An API server that creates each Event as sent and takes every patch, recording each
    /// request's method, path and body.
    fn recording(requests: Arc<Mutex<Vec<(Method, String, Value)>>>) -> Client {
        let service = tower::service_fn(move |request: Request<Body>| {
            let requests = requests.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = body.collect_bytes().await.unwrap();
                let body: Value = serde_json::from_slice(&body).unwrap();
                let path = parts.uri.path().to_string();
                requests
                    .lock()
                    .unwrap()
                    .push((parts.method.clone(), path, body.clone()));
                let status = match parts.method {
                    Method::POST => StatusCode::CREATED,
                    _ => StatusCode::OK,
                };
                let body = Body::from(serde_json::to_vec(&body).unwrap());
                Ok::<_, std::io::Error>(Response::builder().status(status).body(body).unwrap())
            }
        });
        Client::new(service, "default")
    }

    #[tokio::test]
    async fn a_repeat_patches_the_first_events_series_and_another_event_is_created() {
        let requests = Arc::default();
        let reporter = Reporter {
            controller: "test-controller".into(),
            instance: None,
        };
        let recorder = Recorder::new(recording(Arc::clone(&requests)), reporter);
        let db = object("Database", "db");
        let repaired = event("Repaired", "spec.ports", Some(object("Service", "db")));
        for _ in 0..3 {
            recorder.publish(&repaired, &db).await.unwrap();
        }
        let created = event("Created", "created", Some(object("Service", "db")));
        recorder.publish(&created, &db).await.unwrap();
        let requests = requests.lock().unwrap();
        let seen: Vec<_> = requests
            .iter()
            .map(|(method, path, body)| {
                (
                    method.as_str(),
                    path.as_str(),
                    body["series"]["count"].as_i64(),
                )
            })
            .collect();
        let first = requests[0].2["metadata"]["name"].as_str().unwrap();
        let series = format!("/apis/events.k8s.io/v1/namespaces/ns/events/{first}");
        assert_eq!(
            seen,
            vec![
                ("POST", "/apis/events.k8s.io/v1/namespaces/ns/events", None),
                ("PATCH", series.as_str(), Some(2)),
                ("PATCH", series.as_str(), Some(3)),
                ("POST", "/apis/events.k8s.io/v1/namespaces/ns/events", None),
            ]
        );
    }

    #[tokio::test]
    async fn an_event_last_sent_more_than_six_minutes_ago_is_forgotten() {
        let recorder = recorder();
        let long_ago = Instant::now()
            .checked_sub(SERIES_FOR + Duration::from_secs(1))
            .expect("the clock started more than six minutes ago");
        let put = |key, last| {
            let sent = Sent {
                made: 1,
                count: 3,
                last,
            };
            recorder.sent.lock().unwrap().put(key, sent);
        };
        put(1, long_ago);
        put(2, Instant::now());
        assert!(recorder.remembered(1).is_none(), "a new series starts");
        assert_eq!(
            recorder.sent.lock().unwrap().len(),
            1,
            "and the old one is gone"
        );
        assert_eq!(recorder.remembered(2).map(|sent| sent.count), Some(3));
    }

    #[tokio::test]
    async fn a_new_event_is_what_kube_runtimes_recorder_creates() {
        let recorder = recorder();
        let now = MicroTime(Timestamp::now());
        let name = recorder.name(&object("Database", "db"), now.0.as_nanosecond());
        assert!(name.starts_with("db."), "{name}");
        let created = recorder.new_event(
            &event(
                "Created",
                "created Service ns/db",
                Some(object("Service", "db")),
            ),
            &object("Database", "db"),
            now.clone(),
            name.clone(),
        );
        assert_eq!(created.metadata.namespace.as_deref(), Some("ns"));
        assert_eq!(created.metadata.name, Some(name));
        assert_eq!(
            created.reporting_instance.as_deref(),
            Some("test-controller")
        );
        assert_eq!(created.type_.as_deref(), Some("Normal"));
        assert_eq!(created.event_time, Some(now));
        assert_eq!(created.series, None);
    }
}
