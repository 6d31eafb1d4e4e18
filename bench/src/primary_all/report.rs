//! The scenario's section of `results.md`.

use std::fmt::Write as _;

use super::{Method, PrimaryAllResult};

/// How each method was measured, for the reader of the table.
const HOW: &str = "\
- (1): `GET /apis/primary-all.demo.kube-secondary.dev/v1/namespaces/{ns}/databases/{name}` on the \
kube-apiserver with the admin kubeconfig's client (one client, connections reused); the aggregator \
authorises it, then proxies it to the extension server with its front-proxy certificate. The \
response is deserialised into `PrimaryAll`.
- (2): the same GET over HTTPS straight to 127.0.0.1:PORT with the front-proxy client certificate \
and `X-Remote-User: admin`, `X-Remote-Group: system:masters` (one client). The server's \
SubjectAccessReviews (`get` on the Database, `list` on each child kind) are cached for ~10 s, so \
most requests make none and one every ~10 s makes them; this is as measured, not separated out. \
The same holds inside (1).
- (a): GET the Database, then LIST Deployments, Services, Secrets and ConfigMaps with \
`labelSelector=app.kubernetes.io/instance={name}` (4 child kinds, so 4 LISTs; both ConfigMaps \
come in one), typed, with the admin client: one after another as a simple client would, and \
again all five requests at once (`tokio::try_join!`).
- (b): as the thesis prototype did per request: a new client from the kubeconfig, \
`kube::discovery::Discovery::new(client).run()`, then a LIST (unfiltered, full objects) of every \
namespaced kind that supports list in the namespace, one after another, filtered to the \
children by controller ownerReference uid or the instance label. It also finds each \
Deployment's ReplicaSet (it carries the label from the pod template), hence 6 children.
- Every answer is checked (the five expected children, for (b) at least them) before its time \
counts; wrong or failed answers are counted as errors and not timed. The methods take turns \
on each sampled primary (the order rotating), on one seeded sample, sequentially, while the \
APIService is registered; (b) is sampled until its requests have taken its time budget.";

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
    Some(numerator? / denominator?)
}

fn times(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.2}×"))
}

/// One section per run of the scenario.
pub fn markdown(results: &[PrimaryAllResult]) -> String {
    let mut out = String::new();
    for r in results {
        let _ = writeln!(
            out,
            "\n## primary-all: one Database and all its children (N = {} Databases × {} children)\n",
            r.primaries, r.children_per_primary
        );
        let _ = writeln!(
            out,
            "| method | timed requests | errors | children returned | p50 ms | p95 ms | p99 ms | max ms |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
        for m in &r.methods {
            let [p50, p95, p99, max] = m.latency_ms.map_or([None; 4], |l| l.map(Some));
            let children = if m.children[0] == m.children[1] {
                m.children[0].to_string()
            } else {
                format!("{}–{}", m.children[0], m.children[1])
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {children} | {} | {} | {} | {} |",
                m.method.label(),
                m.requests,
                m.errors,
                ms(p50),
                ms(p95),
                ms(p99),
                ms(max),
            );
        }
        let aggregator = r.p50(Method::Aggregator);
        let thesis_ratio = ratio(r.p50(Method::Thesis), aggregator);
        let sequential = ratio(aggregator, r.p50(Method::GetListsSequential));
        let concurrent = ratio(aggregator, r.p50(Method::GetListsConcurrent));
        let _ = writeln!(
            out,
            "\nAt p50: (b)/(1) = {}, (1)/(a sequential) = {}, (1)/(a concurrent) = {}. \
             Issue 10's targets, read off these figures: (1) no slower than (a) at p50 — {}; \
             (b) at least 10× (1) — {}.",
            times(thesis_ratio),
            times(sequential),
            times(concurrent),
            verdict(sequential.map(|s| s <= 1.0)),
            verdict(thesis_ratio.map(|t| t >= 10.0)),
        );
        let _ = writeln!(
            out,
            "\nExtension server memory: RSS {:.1} MiB once synced, before the objects existed; \
             {:.1} MiB with them cached; {:.1} MiB for {} cached objects ({} Databases + {} \
             children) = **{:.2} KiB per cached object** (the Databases' share included). \
             Server CPU over the timed requests: {:.2} s in {:.0} s.",
            r.rss_before_mib,
            r.rss_after_mib,
            r.rss_after_mib - r.rss_before_mib,
            r.cached_objects(),
            r.primaries,
            r.primaries * r.children_per_primary,
            r.kib_per_cached_object(),
            r.server_cpu_seconds,
            r.measure_seconds,
        );
        let _ = writeln!(
            out,
            "\nCreation: {} objects in {:.1} s ({:.0}/s; {} Databases at a time, each with its five \
             children created concurrently); the control plane's controllers then settled in {:.0} s. \
             Warm-up: {} untimed requests per method ((b): 2). (b)'s time budget: {:.0} s. \
             APIService `v1.primary-all.demo.kube-secondary.dev` before this run's turn: {}; unregistered after.\n",
            r.objects_created,
            r.create_seconds,
            r.objects_created as f64 / r.create_seconds.max(1e-9),
            r.primaries_in_flight,
            r.settle_seconds,
            r.warmup_per_method,
            r.thesis_budget_seconds,
            r.registration,
        );
        for m in r.methods.iter().filter(|m| m.errors > 0) {
            let _ = writeln!(
                out,
                "First error of {}: {}\n",
                m.method.label(),
                m.first_error.as_deref().unwrap_or("–")
            );
        }
        out.push_str(HOW);
        out.push('\n');
    }
    out
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "not met",
        None => "not measured",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primary_all::MethodResult;

    fn method(method: Method, p50: f64) -> MethodResult {
        MethodResult {
            method,
            requests: 300,
            errors: 0,
            first_error: None,
            children: [5, 5],
            latency_ms: Some([p50, p50 * 2.0, p50 * 3.0, p50 * 4.0]),
        }
    }

    #[test]
    fn the_section_has_the_ratios_and_the_memory_per_object() {
        let result = PrimaryAllResult {
            primaries: 1000,
            children_per_primary: 5,
            objects_created: 6000,
            create_seconds: 30.0,
            primaries_in_flight: 16,
            settle_seconds: 20.0,
            rss_before_mib: 20.0,
            rss_after_mib: 50.0,
            server_cpu_seconds: 1.0,
            measure_seconds: 100.0,
            warmup_per_method: 20,
            thesis_budget_seconds: 240.0,
            registration: "none registered".into(),
            methods: vec![
                method(Method::Aggregator, 4.0),
                method(Method::GetListsSequential, 8.0),
                method(Method::Thesis, 400.0),
            ],
        };
        assert!((result.kib_per_cached_object() - 5.12).abs() < 1e-9);
        let text = markdown(&[result]);
        assert!(text.contains("(b)/(1) = 100.00×"), "{text}");
        assert!(text.contains("(1)/(a sequential) = 0.50×"), "{text}");
        assert!(text.contains("(1)/(a concurrent) = –"), "{text}");
        assert!(text.contains("**5.12 KiB per cached object**"), "{text}");
    }
}
