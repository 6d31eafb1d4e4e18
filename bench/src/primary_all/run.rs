//! One primary-all run: each method of reading a primary with its children, timed and checked.

use super::{MethodResult, Plan, PrimaryAllResult, fixture, methods};

use super::server::{Registration, ServerProcess};
use crate::procfs;
use crate::scenario::{self, Rng, db_name};
use crate::tracker::percentiles;
use fixture::{CHILDREN_PER_PRIMARY, ChildRef, expected_children};
use kube::Client;
use methods::Method;
use methods::{Clients, primary_all, read};
use std::path::Path;
use std::time::{Duration, Instant};

/// What one primary-all run needs: the cluster, the PKI, a namespace, the plan and the seed.
pub(super) struct Run<'a> {
    pub(super) client: &'a Client,
    pub(super) pki: &'a Path,
    pub(super) namespace: &'a str,
    pub(super) plan: Plan,
    pub(super) seed: u64,
}

/// Polls `check` every 200 ms until it succeeds or `limit` passes (then fails with its last error).
async fn poll<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        match check().await {
            Ok(value) => return Ok(value),
            Err(error) if Instant::now() > deadline => {
                anyhow::bail!("{what} within {limit:?}: {error:#}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

impl Run<'_> {
    pub(super) async fn measure(
        &self,
        server: &mut ServerProcess,
        registration: &mut Option<Registration>,
    ) -> anyhow::Result<PrimaryAllResult> {
        let (client, namespace, plan) = (self.client, self.namespace, self.plan);
        let direct = methods::direct_client(self.pki, server.port).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        // Listening first, so the client does not log a refused connection as an error.
        while tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .is_err()
        {
            server.check_running()?;
            anyhow::ensure!(
                Instant::now() < deadline,
                "kube-secondary-apiserver did not listen within a minute"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        loop {
            server.check_running()?;
            let readyz = http::Request::get("/readyz").body(Vec::new())?;
            match direct.request_text(readyz).await {
                Ok(_) => break,
                Err(error) if Instant::now() > deadline => {
                    anyhow::bail!("kube-secondary-apiserver not ready within a minute: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        // A child kind not synced yet is listed with an error, which `primary_all` refuses.
        poll("every cache synced", Duration::from_secs(60), || {
            primary_all(&direct, namespace, "probe")
        })
        .await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let rss_before_mib = procfs::rss_mib(server.pid())?;

        let created = fixture::create_all(client, namespace, plan.primaries).await?;
        println!("    waiting for the control plane to settle (ReplicaSets, Deployment status)");
        let settled = scenario::wait_quiescent(
            client,
            namespace,
            plan.primaries,
            Duration::from_secs(60 + plan.primaries as u64 / 5),
        )
        .await?;
        println!("    waiting until the server has every child of every Database");
        for i in 0..plan.primaries {
            let name = db_name(i);
            let expected = expected_children(&name);
            poll(
                &format!("{name}'s children cached"),
                Duration::from_secs(120),
                || async {
                    let mut children = primary_all(&direct, namespace, &name).await?;
                    children.sort();
                    anyhow::ensure!(children == expected, "got {children:?}");
                    Ok(())
                },
            )
            .await?;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let rss_after_mib = procfs::rss_mib(server.pid())?;
        println!(
            "    server RSS {rss_before_mib:.1} MiB before the objects, {rss_after_mib:.1} MiB with them"
        );

        let mut rng = Rng::new(self.seed);
        let mut draw = |count: usize| -> Vec<String> {
            (0..count)
                .map(|_| db_name(rng.below(plan.primaries)))
                .collect()
        };
        let warmup = draw(plan.warmup);
        let sample = draw(plan.requests);
        let ca = std::fs::read(self.pki.join("ca.crt"))?;
        println!(
            "    registering the primary-all APIServices (waits for the e2e tests' turn to end)"
        );
        let turn = registration.insert(Registration::take(client, server.port, &ca).await?);
        let found = turn.found.clone();
        let clients = Clients {
            admin: client.clone(),
            direct,
        };
        for (i, name) in warmup.iter().enumerate() {
            for method in Method::ALL {
                if method != Method::Thesis || i < 2 {
                    let _ = read(method, &clients, namespace, name).await;
                }
            }
        }
        let cpu_before = procfs::cpu_seconds(server.pid())?;
        let start = Instant::now();
        let timed = self.timed(&clients, &sample).await;
        let measure_seconds = start.elapsed().as_secs_f64();
        let server_cpu_seconds = procfs::cpu_seconds(server.pid())? - cpu_before;
        server.check_running()?;
        Ok(PrimaryAllResult {
            primaries: plan.primaries,
            children_per_primary: CHILDREN_PER_PRIMARY,
            objects_created: plan.primaries * (1 + CHILDREN_PER_PRIMARY),
            create_seconds: created.as_secs_f64(),
            primaries_in_flight: fixture::PRIMARIES_IN_FLIGHT,
            settle_seconds: settled.as_secs_f64(),
            rss_before_mib,
            rss_after_mib,
            server_cpu_seconds,
            measure_seconds,
            warmup_per_method: plan.warmup,
            thesis_budget_seconds: plan.thesis_budget.as_secs_f64(),
            registration: found,
            methods: timed,
        })
    }

    /// Every method on every primary of `sample`, interleaved (the order rotates from one
    /// primary to the next), sequentially.
    async fn timed(&self, clients: &Clients, sample: &[String]) -> Vec<MethodResult> {
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); Method::ALL.len()];
        let mut results: Vec<MethodResult> = Method::ALL
            .iter()
            .map(|&method| MethodResult {
                method,
                requests: 0,
                errors: 0,
                first_error: None,
                children: [usize::MAX, 0],
                latency_ms: None,
            })
            .collect();
        let mut thesis_spent = Duration::ZERO;
        let step = sample.len().div_ceil(10).max(1);
        let start = Instant::now();
        for (i, name) in sample.iter().enumerate() {
            let expected = expected_children(name);
            for k in 0..Method::ALL.len() {
                let m = (i + k) % Method::ALL.len();
                let method = Method::ALL[m];
                if method == Method::Thesis && thesis_spent >= self.plan.thesis_budget {
                    continue;
                }
                let began = Instant::now();
                let outcome = read(method, clients, self.namespace, name).await;
                let took = began.elapsed();
                if method == Method::Thesis {
                    thesis_spent += took;
                }
                let result = &mut results[m];
                match outcome.and_then(|children| check(method, &expected, children)) {
                    Ok(found) => {
                        times[m].push(took);
                        result.requests += 1;
                        result.children =
                            [result.children[0].min(found), result.children[1].max(found)];
                    }
                    Err(error) => {
                        result.errors += 1;
                        result
                            .first_error
                            .get_or_insert_with(|| format!("{name}: {error:#}"));
                    }
                }
            }
            if (i + 1) % step == 0 {
                println!(
                    "    … {}/{} primaries read every way ({:.0} s; (b) {:.0} s of its {:.0} s budget)",
                    i + 1,
                    sample.len(),
                    start.elapsed().as_secs_f64(),
                    thesis_spent.as_secs_f64(),
                    self.plan.thesis_budget.as_secs_f64(),
                );
            }
        }
        for (result, times) in results.iter_mut().zip(&times) {
            result.latency_ms = percentiles(times);
            if result.requests == 0 {
                result.children = [0, 0];
            }
        }
        results
    }
}

/// The number of children in a correct answer: exactly the expected ones, or for (b), which
/// also finds what merely carries the label (the Deployment's ReplicaSet), at least them.
fn check(method: Method, expected: &[ChildRef], found: Vec<ChildRef>) -> anyhow::Result<usize> {
    let complete = expected.iter().all(|child| found.contains(child));
    let exact = found.len() == expected.len();
    anyhow::ensure!(
        complete && (exact || method == Method::Thesis),
        "expected {expected:?}, got {found:?}"
    );
    Ok(found.len())
}
