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

#[test]
fn a_standby_tries_when_the_holders_duration_has_run_out_and_at_once_when_it_was_released() {
    let ours = Duration::from_secs(15);
    let start = Instant::now();
    let mut observed = Observed::default();
    observed.see(&held_by("other", 0, 15), start);
    let later = start + Duration::from_secs(5);
    let wait = observed.try_in(ours, later);
    assert!(
        wait > Duration::from_secs(10) && observed.expired(ours, later + wait),
        "{wait:?}"
    );
    let released = LeaseSpec {
        holder_identity: Some(String::new()),
        ..held_by("other", 1, 1)
    };
    observed.see(&released, later);
    assert_eq!(observed.try_in(ours, later), Duration::ZERO);
}
