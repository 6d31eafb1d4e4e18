use super::*;

#[test]
fn a_drift_is_timed_from_its_event_to_its_repair() {
    let tracker = Tracker::default();
    let t0 = Instant::now();
    tracker.expect(DriftKind::EditConfigMap, "db-1");
    tracker.observe(DriftKind::EditConfigMap, "db-1", false, t0);
    tracker.observe(
        DriftKind::EditConfigMap,
        "db-1",
        true,
        t0 + Duration::from_millis(5),
    );
    assert_eq!(tracker.open(), 1);
    tracker.observe(
        DriftKind::EditConfigMap,
        "db-1",
        false,
        t0 + Duration::from_millis(45),
    );
    assert_eq!(tracker.open(), 0);
    assert_eq!(
        tracker.episodes(),
        Episodes {
            started: 1,
            latencies: vec![Duration::from_millis(40)],
        }
    );
}

#[test]
fn a_churn_episode_runs_from_the_first_drifted_event_to_the_first_correct_one() {
    let tracker = Tracker::following(DriftKind::EditConfigMap);
    let t0 = Instant::now();
    let at = |ms| t0 + Duration::from_millis(ms);
    tracker.observe(DriftKind::EditConfigMap, "db-1", false, t0);
    tracker.observe(DriftKind::EditConfigMap, "db-1", true, at(5));
    // A second edit before the repair does not restart the episode.
    tracker.observe(DriftKind::EditConfigMap, "db-1", true, at(20));
    assert_eq!(tracker.open(), 1);
    tracker.observe(DriftKind::EditConfigMap, "db-1", false, at(45));
    // Nor does a second correct event start or end anything.
    tracker.observe(DriftKind::EditConfigMap, "db-1", false, at(50));
    assert_eq!(tracker.open(), 0);
    // The next edit opens the next episode of the same ConfigMap.
    tracker.observe(DriftKind::EditConfigMap, "db-1", true, at(60));
    tracker.observe(DriftKind::EditConfigMap, "db-1", false, at(70));
    assert_eq!(
        tracker.episodes(),
        Episodes {
            started: 2,
            latencies: vec![Duration::from_millis(40), Duration::from_millis(10)],
        }
    );
}

#[test]
fn a_churn_episode_needs_the_child_seen_correct_first() {
    let tracker = Tracker::following(DriftKind::EditConfigMap);
    let t0 = Instant::now();
    let at = |ms| t0 + Duration::from_millis(ms);
    // First seen drifted: when it drifted is unknown, so no episode.
    tracker.observe(DriftKind::EditConfigMap, "db-2", true, t0);
    tracker.observe(DriftKind::EditConfigMap, "db-2", false, at(10));
    assert_eq!(tracker.episodes(), Episodes::default());
    tracker.observe(DriftKind::EditConfigMap, "db-2", true, at(30));
    tracker.observe(DriftKind::EditConfigMap, "db-2", false, at(31));
    assert_eq!(tracker.episodes().latencies, vec![Duration::from_millis(1)]);
}

#[test]
fn churn_episodes_still_open_count_as_unrepaired() {
    let tracker = Tracker::following(DriftKind::EditConfigMap);
    let t0 = Instant::now();
    let at = |ms| t0 + Duration::from_millis(ms);
    for db in ["db-1", "db-2", "db-3"] {
        tracker.observe(DriftKind::EditConfigMap, db, false, t0);
        tracker.observe(DriftKind::EditConfigMap, db, true, at(1));
    }
    tracker.observe(DriftKind::EditConfigMap, "db-2", false, at(9));
    assert_eq!(tracker.open(), 2);
    assert_eq!(
        tracker.episodes(),
        Episodes {
            started: 3,
            latencies: vec![Duration::from_millis(8)],
        }
    );
}

#[test]
fn a_following_tracker_times_only_its_kind_and_a_plain_one_only_expected_drifts() {
    let t0 = Instant::now();
    let at = |ms| t0 + Duration::from_millis(ms);
    let following = Tracker::following(DriftKind::EditConfigMap);
    let plain = Tracker::default();
    for tracker in [&following, &plain] {
        tracker.observe(DriftKind::ScaleDeployment, "db-1", false, t0);
        tracker.observe(DriftKind::ScaleDeployment, "db-1", true, at(1));
        tracker.observe(DriftKind::ScaleDeployment, "db-1", false, at(2));
    }
    plain.observe(DriftKind::EditConfigMap, "db-1", false, t0);
    plain.observe(DriftKind::EditConfigMap, "db-1", true, at(1));
    plain.observe(DriftKind::EditConfigMap, "db-1", false, at(2));
    assert_eq!(following.episodes(), Episodes::default());
    assert_eq!(plain.episodes(), Episodes::default());
    assert_eq!((following.open(), plain.open()), (0, 0));
}

#[test]
fn percentiles_of_a_sample() {
    let samples: Vec<_> = (1..=100).map(Duration::from_millis).collect();
    let [p50, p95, p99, max] = percentiles(&samples).unwrap();
    assert!((p50 - 50.0).abs() <= 1.0 && (p95 - 95.0).abs() <= 1.0 && (p99 - 99.0).abs() <= 1.0);
    assert_eq!(max, 100.0);
    assert!(percentiles(&[]).is_none());
}
