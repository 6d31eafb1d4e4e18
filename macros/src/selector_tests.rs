use super::check;

#[test]
fn valid_selectors() {
    for selector in [
        "app",
        "!app",
        "app=db",
        "app==db",
        "app!=db",
        "app=",
        "app!=",
        "app = db , tier",
        "app in (a,b)",
        "app in(a)",
        "app notin ( a , b )",
        "app.kubernetes.io/managed-by=replset",
        "example.com/tier in (web),!legacy,app=db",
        "A_b.c-9=X_y.z-0",
        "replicas>2,replicas<10",
        "in=notin",
    ] {
        assert_eq!(check(selector), Ok(()), "{selector}");
    }
    let longest = "a".repeat(63);
    assert_eq!(check(&format!("{longest}={longest}")), Ok(()));
}

#[track_caller]
fn invalid(selector: &str, message: &str) {
    assert_eq!(check(selector), Err(message.to_string()), "{selector}");
}

#[test]
fn set_based_requirements_need_values_in_parentheses() {
    invalid("app in (a,b", "missing `)` after the values of `in`");
    invalid("app in (a,", "missing `)` after the values of `in`");
    invalid(
        "app notin a",
        "expected `(` after `notin`, found `a`; write e.g. `app notin (a,b)`",
    );
    invalid(
        "app in",
        "expected `(` after `in`; write e.g. `app in (a,b)`",
    );
    invalid(
        "app in ()",
        "`in` needs at least one value, e.g. `app in (a,b)`",
    );
    invalid(
        "app in (a,)",
        "a value of `in` is empty; write e.g. `app in (a,b)`",
    );
    invalid(
        "app in (a b)",
        "expected `,` or `)` between the values of `in`, found `b`",
    );
    invalid("app in (=)", "expected a value of `in`, found `=`");
}

#[test]
fn requirements_are_separated_by_commas() {
    invalid(" ", "it is empty");
    invalid(",app", "it starts with `,`");
    invalid("app=db,", "a label key is missing after `,`");
    invalid("app=db,,tier", "a label key is missing after `,`");
    invalid(
        "app=db tier=web",
        "expected `,` or the end after a requirement, found `tier`",
    );
    invalid("(app)", "expected a label key, found `(`");
}

#[test]
fn operators_are_known() {
    invalid(
        "app db",
        "expected `=`, `!=`, `in` or `notin` after the key `app`, found `db`",
    );
    invalid("app=(db)", "expected a value after `app=`, found `(`");
    invalid(
        "!app=db",
        "`!app` selects objects without the label and takes no value; write `app!=value` to exclude one value",
    );
    invalid("!", "a label key is missing after `!`");
    invalid("!,app", "a label key is missing after `!`");
    invalid(
        "replicas>two",
        "`replicas>` compares with an integer, found `two`",
    );
}

#[test]
fn keys_and_values_are_label_names() {
    let key = "the label key `-app` must be a name of at most 63 characters, alphanumeric at both ends with `-`, `_` or `.` inside, after an optional `prefix/`";
    invalid("-app=db", key);
    invalid(
        &format!("{}=db", "a".repeat(64)),
        &key.replace("-app", &"a".repeat(64)),
    );
    invalid(
        "Example.com/app=db",
        "the prefix `Example.com` of the label key `Example.com/app` is not a DNS subdomain (lowercase letters, digits, `-` and `.`, at most 253 characters)",
    );
    invalid(
        "/app=db",
        "the label key `/app` has an empty prefix; write `prefix/name` or only the name",
    );
    invalid(
        "a/b/c",
        "the label key `a/b/c` has more than one `/`; write `prefix/name`",
    );
    invalid(
        "app=db_",
        "the label value `db_` must be at most 63 characters, alphanumeric at both ends with `-`, `_` or `.` inside",
    );
    invalid(
        "app in (a,ü)",
        "the label value `ü` must be at most 63 characters, alphanumeric at both ends with `-`, `_` or `.` inside",
    );
}
