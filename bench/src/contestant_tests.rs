//! Tests of `contestant.rs`.

use super::*;

#[test]
fn reads_the_go_contestants_counters() {
    let text = "# HELP x\nbench_reconciles_total 12\nbench_requests_total{verb=\"patch\"} 40\nbench_requests_total{verb=\"watch\"} 5\nother 1\n";
    let counters = parse_prometheus(text, &CONTROLLER_RUNTIME);
    assert_eq!(counters.total_wakeups(), 12);
    assert_eq!(counters.requests.get("patch"), Some(&40));
    assert_eq!(counters.total_requests(), 45);
}

#[test]
fn reads_kube_secondarys_metrics_by_trigger_and_verb_and_leaves_events_out_of_the_total() {
    let text = "# TYPE kube_secondary_wakeups counter\n\
        kube_secondary_wakeups_total{trigger=\"primary\"} 10\n\
        kube_secondary_wakeups_total{trigger=\"secondary\"} 3\n\
        kube_secondary_api_requests_total{verb=\"patch\"} 7\n\
        kube_secondary_api_requests_total{verb=\"event\"} 7\n\
        kube_secondary_errors_total 0\n# EOF\n";
    let counters = parse_prometheus(text, &KUBE_SECONDARY);
    assert_eq!(
        counters.wakeups,
        BTreeMap::from([("primary".to_string(), 10), ("secondary".to_string(), 3)])
    );
    assert_eq!(counters.requests.get("event"), Some(&7));
    assert_eq!(
        counters.total_requests(),
        7,
        "Events are listed, not in the total"
    );
}

#[test]
fn since_subtracts_and_drops_zeroes() {
    let mut a = Counters::default();
    a.wakeups.insert("primary".into(), 3);
    let mut b = a.clone();
    b.wakeups.insert("secondary".into(), 2);
    assert_eq!(
        b.since(&a).wakeups,
        BTreeMap::from([("secondary".to_string(), 2)])
    );
}
