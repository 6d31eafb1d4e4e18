//! Authorisation as the caller: every question goes to the kube-apiserver as a
//! SubjectAccessReview for the caller's user, groups and extra, so the server's own read
//! rights are never lent. Decisions are remembered for ten seconds in a bounded cache (moka:
//! O(1) eviction), the same question asked by concurrent requests is sent once, and at most
//! [`REVIEWS_IN_FLIGHT`] reviews are sent at a time.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::Client;
use kube::api::{Api, PostParams};

use moka::future::Cache;
use tokio::sync::Semaphore;

use crate::metrics::{Review, ServerMetrics};
use crate::requestheader::UserInfo;

/// How long a decision is remembered.
pub const DECISION_TTL: Duration = Duration::from_secs(10);
/// How many decisions are remembered at most.
pub const DECISION_CAPACITY: u64 = 10_000;
/// How many reviews are sent at once at most, whatever the number of requests.
pub const REVIEWS_IN_FLIGHT: usize = 32;

/// May `user` `verb` the `resource` of `group` (in `namespace`, named `name`)?
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Question {
    /// The caller.
    pub user: UserInfo,
    /// `get` or `list`.
    pub verb: &'static str,
    /// The API group, `""` for the core group.
    pub group: String,
    /// The plural resource name.
    pub resource: String,
    /// The namespace; `None` for a cluster-scoped resource or all namespaces.
    pub namespace: Option<String>,
    /// The object's name, for `get`.
    pub name: Option<String>,
}

impl Question {
    /// The review that asks it.
    pub fn review(&self) -> SubjectAccessReview {
        let user = &self.user;
        SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some(user.name.clone()),
                uid: user.uid.clone(),
                groups: Some(user.groups.clone()),
                extra: Some(user.extra.clone()),
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(self.verb.to_string()),
                    group: Some(self.group.clone()),
                    resource: Some(self.resource.clone()),
                    namespace: self.namespace.clone(),
                    name: self.name.clone(),
                    ..ResourceAttributes::default()
                }),
                ..SubjectAccessReviewSpec::default()
            },
            ..SubjectAccessReview::default()
        }
    }
}

/// Sends access reviews and remembers their decisions.
pub struct Authorizer {
    client: Client,
    decisions: Cache<Question, bool>,
    in_flight: Semaphore,
    metrics: Arc<ServerMetrics>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("decisions", &self.decisions.entry_count())
            .finish()
    }
}

impl Authorizer {
    /// Reviews through `client`, which needs `create` on `subjectaccessreviews`, counting how
    /// each question was answered into `metrics`.
    pub fn new(client: Client, metrics: Arc<ServerMetrics>) -> Self {
        Self {
            metrics,
            client,
            decisions: Cache::builder()
                .max_capacity(DECISION_CAPACITY)
                .time_to_live(DECISION_TTL)
                .build(),
            in_flight: Semaphore::new(REVIEWS_IN_FLIGHT),
        }
    }

    /// Whether the kube-apiserver allows `question`; an error when the review could not be sent
    /// (not remembered: the next request asks again).
    pub async fn allowed(&self, question: Question) -> Result<bool, Arc<kube::Error>> {
        let review = question.review();
        let sent = std::sync::atomic::AtomicBool::new(false);
        let allowed = self
            .decisions
            .try_get_with(question, async {
                let _turn = self.in_flight.acquire().await.expect("never closed");
                sent.store(true, std::sync::atomic::Ordering::Relaxed);
                let api: Api<SubjectAccessReview> = Api::all(self.client.clone());
                let review = api.create(&PostParams::default(), &review).await?;
                Ok(review.status.is_some_and(|status| status.allowed))
            })
            .await;
        self.metrics
            .review(match (sent.into_inner(), allowed.is_ok()) {
                (false, _) => Review::Cached,
                (true, true) => Review::Sent,
                (true, false) => Review::Failed,
            });
        allowed
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use http::{Request, Response, StatusCode};
    use kube::client::Body;

    use super::*;

    /// Reviews sent, and the most in flight at once.
    #[derive(Default)]
    struct Seen {
        sent: AtomicUsize,
        now: AtomicUsize,
        most: AtomicUsize,
    }

    /// An API server that allows everything after a moment, failing the first `failures`
    /// reviews with a 500.
    fn reviewer(seen: Arc<Seen>, failures: usize) -> Authorizer {
        let service = tower::service_fn(move |_: Request<Body>| {
            let seen = seen.clone();
            async move {
                let n = seen.sent.fetch_add(1, Ordering::SeqCst);
                let now = seen.now.fetch_add(1, Ordering::SeqCst) + 1;
                seen.most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                seen.now.fetch_sub(1, Ordering::SeqCst);
                let (code, body) = if n < failures {
                    let status = serde_json::json!({
                        "kind": "Status", "apiVersion": "v1", "status": "Failure",
                        "reason": "InternalError", "code": 500, "message": "etcd is away"
                    });
                    (StatusCode::INTERNAL_SERVER_ERROR, status)
                } else {
                    let review = serde_json::json!({
                        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                        "spec": {}, "status": { "allowed": true }
                    });
                    (StatusCode::CREATED, review)
                };
                let body = Body::from(serde_json::to_vec(&body).unwrap());
                Ok::<_, std::io::Error>(Response::builder().status(code).body(body).unwrap())
            }
        });
        Authorizer::new(Client::new(service, "default"), Arc::default())
    }

    fn question(namespace: usize) -> Question {
        Question {
            user: UserInfo {
                name: "alice".into(),
                uid: None,
                groups: vec![],
                extra: Default::default(),
            },
            verb: "list",
            group: String::new(),
            resource: "configmaps".into(),
            namespace: Some(format!("ns-{namespace}")),
            name: None,
        }
    }

    #[tokio::test]
    async fn the_same_question_asked_by_many_requests_at_once_is_sent_once() {
        let seen = Arc::new(Seen::default());
        let authz = reviewer(seen.clone(), 0);
        let asked = (0..20).map(|_| authz.allowed(question(0)));
        let answers = futures::future::join_all(asked).await;
        assert!(answers.iter().all(|answer| matches!(answer, Ok(true))));
        assert_eq!(seen.sent.load(Ordering::SeqCst), 1);
        assert!(authz.allowed(question(0)).await.unwrap(), "remembered");
        assert_eq!(seen.sent.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn reviews_in_flight_are_bounded_however_many_questions_wait() {
        let seen = Arc::new(Seen::default());
        let authz = reviewer(seen.clone(), 0);
        let asked = (0..100).map(|namespace| authz.allowed(question(namespace)));
        let answers = futures::future::join_all(asked).await;
        assert!(answers.iter().all(|answer| matches!(answer, Ok(true))));
        assert_eq!(seen.sent.load(Ordering::SeqCst), 100);
        assert_eq!(seen.most.load(Ordering::SeqCst), REVIEWS_IN_FLIGHT);
    }

    #[tokio::test]
    async fn a_review_that_failed_is_not_remembered() {
        let seen = Arc::new(Seen::default());
        let authz = reviewer(seen.clone(), 1);
        let failed = authz.allowed(question(0)).await.expect_err("a 500");
        assert!(failed.to_string().contains("etcd is away"), "{failed}");
        assert!(authz.allowed(question(0)).await.unwrap());
        assert_eq!(seen.sent.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_review_names_the_caller_and_the_resource() {
        let question = Question {
            user: UserInfo {
                name: "alice".into(),
                uid: None,
                groups: vec!["devs".into()],
                extra: [("scopes".to_string(), vec!["read".to_string()])].into(),
            },
            verb: "list",
            group: "apps".into(),
            resource: "statefulsets".into(),
            namespace: Some("prod".into()),
            name: None,
        };
        let review = serde_json::to_value(question.review()).unwrap();
        assert_eq!(
            review["spec"],
            serde_json::json!({
                "user": "alice",
                "groups": ["devs"],
                "extra": { "scopes": ["read"] },
                "resourceAttributes": {
                    "verb": "list", "group": "apps", "resource": "statefulsets", "namespace": "prod",
                },
            })
        );
    }
}
