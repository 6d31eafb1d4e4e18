use super::*;

/// The metrics as a scrape would see them.
fn scrape(metrics: &Metrics) -> String {
    let mut registry = Registry::default();
    metrics.register(&mut registry);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    text
}

fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[test]
fn counters_land_in_their_families_with_their_labels_and_in_the_snapshot() {
    let metrics = Metrics::default();
    metrics.wakeup(Trigger::Primary);
    metrics.wakeup(Trigger::Secondary);
    metrics.wakeup(Trigger::Secondary);
    metrics.secondary_kind("Service");
    metrics.event("Service");
    metrics.event("Service");
    metrics.event("Service");
    metrics.outcome("Service", EventOutcome::Woke, 1);
    metrics.outcome("Service", EventOutcome::Predicate, 1);
    metrics.outcome("Service", EventOutcome::OwnEcho, 1);
    metrics.outcome("Service", EventOutcome::NoOwner, 0);
    metrics.skipped();
    metrics.error();
    metrics.error();

    let text = scrape(&metrics);
    for line in [
        "# TYPE kube_secondary_wakeups counter",
        "kube_secondary_wakeups_total{trigger=\"primary\"} 1",
        "kube_secondary_wakeups_total{trigger=\"secondary\"} 2",
        "kube_secondary_secondary_kind_wakeups_total{kind=\"Service\"} 1",
        "kube_secondary_child_events_total{kind=\"Service\"} 3",
        "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"woke\"} 1",
        "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"predicate\"} 1",
        "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"own_echo\"} 1",
        "kube_secondary_skipped_runs_total 1",
        "kube_secondary_errors_total 2",
    ] {
        assert!(has_line(&text, line), "missing `{line}` in\n{text}");
    }
    assert!(
        !text.contains("no_owner"),
        "a zero count makes no series:\n{text}"
    );

    let snapshot = metrics.snapshot();
    assert_eq!(snapshot.wakeups(Trigger::Secondary), 2);
    assert_eq!(snapshot.total_wakeups(), 3);
    assert_eq!(snapshot.secondary_kinds, BTreeMap::from([("Service", 1)]));
    assert_eq!(snapshot.events, BTreeMap::from([("Service", 3)]));
    assert_eq!(snapshot.filtered, BTreeMap::from([("Service", 2)]));
    assert_eq!(
        snapshot.outcomes["Service"],
        BTreeMap::from([("woke", 1), ("predicate", 1), ("own_echo", 1)])
    );
    assert_eq!((snapshot.skipped, snapshot.errors), (1, 2));
}

#[test]
fn caches_are_synced_once_every_watch_listed_and_relists_are_counted() {
    let metrics = Metrics::default();
    assert!(!metrics.snapshot().caches_synced(), "no watch started yet");
    metrics.watch_started(PRIMARY);
    metrics.watch_started("Service");
    metrics.list_started(PRIMARY);
    metrics.listed(PRIMARY);
    assert!(!metrics.snapshot().caches_synced());
    metrics.list_started("Service");
    metrics.listed("Service");
    assert!(metrics.snapshot().caches_synced());
    metrics.watch_failed("Service");
    metrics.list_started("Service");
    let snapshot = metrics.snapshot();
    assert_eq!(snapshot.relists.get("Service"), Some(&1));
    assert_eq!(snapshot.relists.get(PRIMARY), None);
    assert_eq!(snapshot.watch_failures.get("Service"), Some(&1));
    assert_eq!(
        snapshot.synced,
        BTreeMap::from([(PRIMARY, true), ("Service", true)])
    );

    let text = scrape(&metrics);
    for line in [
        "# TYPE kube_secondary_cache_synced gauge",
        "kube_secondary_cache_synced{watch=\"primary\"} 1",
        "kube_secondary_relists_total{watch=\"Service\"} 1",
        "kube_secondary_watch_failures_total{watch=\"Service\"} 1",
    ] {
        assert!(has_line(&text, line), "missing `{line}` in\n{text}");
    }
    assert!(!text.contains("relists_total{watch=\"primary\"}"), "{text}");
}

#[test]
fn handler_durations_land_in_the_histogram_by_handler() {
    let metrics = Metrics::default();
    metrics.handler_ran("reconcile", Duration::from_millis(20));
    metrics.handler_ran("reconcile", Duration::from_millis(3));
    metrics.handler_ran("periodic", Duration::from_millis(1));

    let text = scrape(&metrics);
    for line in [
        "# TYPE kube_secondary_handler_duration_seconds histogram",
        "# UNIT kube_secondary_handler_duration_seconds seconds",
        "kube_secondary_handler_duration_seconds_count{handler=\"reconcile\"} 2",
        "kube_secondary_handler_duration_seconds_sum{handler=\"reconcile\"} 0.023",
        "kube_secondary_handler_duration_seconds_bucket{le=\"0.004\",handler=\"reconcile\"} 1",
        "kube_secondary_handler_duration_seconds_bucket{le=\"0.032\",handler=\"reconcile\"} 2",
        "kube_secondary_handler_duration_seconds_count{handler=\"periodic\"} 1",
    ] {
        assert!(has_line(&text, line), "missing `{line}` in\n{text}");
    }
}

#[test]
fn the_queue_depth_goes_up_and_down() {
    let metrics = Metrics::default();
    metrics.queued();
    metrics.queued();
    metrics.dequeued();
    let text = scrape(&metrics);
    assert!(has_line(&text, "kube_secondary_queue_depth 1"), "{text}");
    metrics.dequeued();
    let text = scrape(&metrics);
    assert!(has_line(&text, "kube_secondary_queue_depth 0"), "{text}");
}

#[test]
fn ready_once_every_cache_is_filled_and_until_a_watch_has_failed_for_the_bound() {
    let mut snapshot = MetricsSnapshot::default();
    assert!(snapshot.ready().is_err(), "no watch yet");
    snapshot.synced.insert("primary", true);
    snapshot.synced.insert("ConfigMap", false);
    assert_eq!(snapshot.ready(), Err("caches not filled yet".into()));
    snapshot.synced.insert("ConfigMap", true);
    assert_eq!(snapshot.ready(), Ok(()));
    snapshot
        .failing
        .insert("ConfigMap", WATCH_FAILING_BOUND - Duration::from_secs(1));
    assert_eq!(
        snapshot.ready(),
        Ok(()),
        "an API server restart is ridden out"
    );
    snapshot
        .failing
        .insert("ConfigMap", WATCH_FAILING_BOUND + Duration::from_secs(1));
    assert_eq!(
        snapshot.ready(),
        Err("watches failing: ConfigMap (31 s)".into())
    );
}

#[test]
fn a_failing_watch_shows_in_its_gauge_and_the_snapshot_until_it_recovers() {
    let metrics = Metrics::default();
    metrics.watch_started("ConfigMap");
    assert!(has_line(
        &scrape(&metrics),
        "kube_secondary_watch_failing{watch=\"ConfigMap\"} 0"
    ));
    metrics.health.failed("ConfigMap", "forbidden");
    assert!(has_line(
        &scrape(&metrics),
        "kube_secondary_watch_failing{watch=\"ConfigMap\"} 1"
    ));
    assert!(metrics.snapshot().failing.contains_key("ConfigMap"));
    metrics.health.recovered("ConfigMap");
    assert!(has_line(
        &scrape(&metrics),
        "kube_secondary_watch_failing{watch=\"ConfigMap\"} 0"
    ));
    assert!(metrics.snapshot().failing.is_empty());
}
