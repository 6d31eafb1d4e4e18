use super::*;
use k8s_openapi::api::core::v1::{Pod, Service};

fn service(name: &str, rv: &str) -> Service {
    let mut s = Service::default();
    s.metadata.name = Some(name.into());
    s.metadata.namespace = Some("ns".into());
    s.metadata.resource_version = Some(rv.into());
    s
}

fn expectations() -> Expectations {
    Expectations::new([kind_of::<Service>()])
}

fn expect(expectations: &Expectations, written: &Service) {
    expectations.expect(Version::of(written).unwrap(), false, None);
}

#[test]
fn own_write_is_recognised_once() {
    let expectations = expectations();
    expect(&expectations, &service("db", "7"));
    assert!(expectations.is_own_echo(&service("db", "7")));
    assert!(!expectations.is_own_echo(&service("db", "7")));
}

#[test]
fn an_event_seen_before_the_write_returned_is_recognised_later() {
    let expectations = expectations();
    let seen = Version::of(&service("db", "7")).unwrap();
    assert!(!expectations.is_echo(&seen), "nothing expected yet");
    expect(&expectations, &service("db", "7"));
    assert!(expectations.is_echo(&seen));
}

#[test]
fn our_deletion_is_recognised_once_and_only_for_the_object_we_deleted() {
    let expectations = expectations();
    let mut ours = service("db", "7");
    ours.metadata.uid = Some("u1".into());
    expectations.expect_deletion(&ours);
    let mut recreated = service("db", "9");
    recreated.metadata.uid = Some("u2".into());
    assert!(
        !expectations.is_own_deletion(&recreated),
        "another object of that name"
    );
    assert!(expectations.is_own_deletion(&ours));
    assert!(!expectations.is_own_deletion(&ours), "consumed");
    expectations.expect_deletion(&ours);
    expectations.cancel_deletion(&ours);
    assert!(!expectations.is_own_deletion(&ours), "the request failed");
    assert_eq!(expectations.len(), 0);
}

#[test]
fn our_written_object_is_served_until_the_cache_holds_its_version() {
    let expectations = expectations();
    let written = Arc::new(service("db", "9"));
    let key = ObjectKey::of(written.as_ref()).unwrap();
    expectations.expect(Version::of(written.as_ref()).unwrap(), false, Some(written));
    let served = |cached: Option<&str>| {
        expectations
            .written::<Service>(&key, cached)
            .map(|s| s.metadata.resource_version.clone().unwrap())
    };
    assert_eq!(served(None), Some("9".into()), "not cached yet");
    assert_eq!(served(Some("8")), Some("9".into()), "the cache is older");
    assert_eq!(served(Some("9")), None, "the cache caught up");
    assert_eq!(served(Some("10")), None, "someone wrote since");
    assert_eq!(served(Some("x")), None, "not a number: the cache is taken");
    assert!(expectations.is_own_echo(&service("db", "9")));
    assert_eq!(served(None), None, "gone with its echo");
}

#[test]
fn two_writes_before_the_first_echo_expect_two_events() {
    let expectations = expectations();
    expect(&expectations, &service("db", "7"));
    expect(&expectations, &service("db", "9"));
    assert!(expectations.is_own_echo(&service("db", "7")));
    assert!(expectations.is_own_echo(&service("db", "9")));
    assert_eq!(expectations.len(), 0);

    expect(&expectations, &service("db", "11"));
    expect(&expectations, &service("db", "12"));
    assert!(
        expectations.is_own_echo(&service("db", "12")),
        "a watch that skipped 11 (a relist) still recognises 12"
    );
    assert!(!expectations.is_own_echo(&service("db", "11")), "passed");
    assert_eq!(expectations.len(), 0);
}

#[test]
fn own_writes_of_a_kind_are_what_the_cache_has_not_shown_yet() {
    let expectations = expectations();
    let created = Arc::new(service("new", "9"));
    expectations.expect(Version::of(created.as_ref()).unwrap(), false, Some(created));
    let mut deleting = service("old", "4");
    deleting.metadata.uid = Some("u-old".into());
    expectations.expect_deletion(&deleting);
    let (written, deleted) = expectations.own_writes_of::<Service>();
    let names: Vec<_> = written.iter().map(|s| s.metadata.name.clone()).collect();
    assert_eq!(names, vec![Some("new".to_string())]);
    assert_eq!(deleted, vec![Some("u-old".to_string())]);
    assert!(expectations.own_writes_of::<Pod>().0.is_empty());
    assert!(expectations.is_own_echo(&service("new", "9")));
    assert!(
        expectations.own_writes_of::<Service>().0.is_empty(),
        "shown by the cache now"
    );
}

#[test]
fn someone_elses_later_write_is_not_an_echo() {
    let expectations = expectations();
    expect(&expectations, &service("db", "7"));
    assert!(
        !expectations.is_own_echo(&service("db", "6")),
        "an older event in flight"
    );
    assert!(expectations.is_own_echo(&service("db", "7")));
    assert!(!expectations.is_own_echo(&service("db", "9")));
}

#[test]
fn a_write_that_returned_the_version_the_handler_was_given_expects_nothing() {
    // Someone edited the Service (version 7) just before the run; our no-op apply returned
    // that same version: its event is theirs, not our echo.
    let expectations = expectations();
    expectations.expect(Version::of(&service("db", "7")).unwrap(), true, None);
    assert!(!expectations.is_own_echo(&service("db", "7")));
    assert_eq!(expectations.len(), 0);
}

#[test]
fn writes_of_kinds_nobody_watches_are_not_kept() {
    let expectations = expectations();
    let mut pod = Pod::default();
    pod.metadata.name = Some("p".into());
    pod.metadata.resource_version = Some("3".into());
    expectations.expect(Version::of(&pod).unwrap(), false, None);
    assert_eq!(expectations.len(), 0);
}

#[test]
fn a_relist_drops_the_expectations_of_objects_that_are_gone() {
    let expectations = expectations();
    expect(&expectations, &service("kept", "7"));
    expect(&expectations, &service("gone", "8"));
    expectations.retain_listed(&kind_of::<Service>(), |key| key.name == "kept");
    assert_eq!(expectations.len(), 1);
    assert!(expectations.is_own_echo(&service("kept", "7")));
}
