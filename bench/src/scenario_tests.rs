use super::{Scenario, plan};

fn builtin() -> Vec<Scenario> {
    vec![
        Scenario::Idle {
            primaries: 100,
            seconds: 300,
        },
        Scenario::Idle {
            primaries: 1000,
            seconds: 300,
        },
        Scenario::Drift {
            primaries: 100,
            count: 300,
            per_second: 5.0,
        },
    ]
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn without_names_or_sizes_every_builtin_run_is_planned() {
    assert_eq!(plan(&builtin(), &[], &[], None), builtin());
}

#[test]
fn a_size_without_a_builtin_run_takes_the_scenarios_first_run_over_that_many_primaries() {
    let planned = plan(&builtin(), &names(&["idle"]), &[1000, 10_000], Some(60));
    assert_eq!(
        planned,
        vec![
            Scenario::Idle {
                primaries: 1000,
                seconds: 60,
            },
            Scenario::Idle {
                primaries: 10_000,
                seconds: 60,
            },
        ]
    );
}

#[test]
fn sizes_apply_to_every_named_scenario_once() {
    let planned = plan(&builtin(), &[], &[2000], None);
    assert_eq!(
        planned,
        vec![
            Scenario::Idle {
                primaries: 2000,
                seconds: 300,
            },
            Scenario::Drift {
                primaries: 2000,
                count: 300,
                per_second: 5.0,
            },
        ]
    );
}

#[test]
fn an_unnamed_scenario_is_not_planned() {
    assert!(plan(&builtin(), &names(&["churn"]), &[100], None).is_empty());
}
