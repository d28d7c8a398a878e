//! Three-way merge of plain JSON.

use concord_json::{
    apply_patch_to_value, changes, merge3, reverse_unsaved, AutoResolve, Change, ChangeKind,
    Compare, Conflict, MergeOptions, MergeOutcome, Patch,
};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::{patch, ptr};

fn applied(v: &Value, p: &Patch) -> Value {
    let mut v = v.clone();
    apply_patch_to_value(&mut v, p).unwrap_or_else(|e| panic!("{e} applying {p:?}"));
    v
}

/// The promises of every outcome, checked with our patching and the json-patch crate's.
fn check(base: &Value, local: &Value, remote: &Value, out: &MergeOutcome) {
    let _ = base;
    assert_eq!(applied(remote, &out.from_local), out.merged, "from_local");
    let kept = applied(local, &reverse_unsaved(out));
    assert_eq!(applied(&kept, &out.from_remote), out.merged, "from_remote");
    let theirs = |p: &Patch| -> json_patch::Patch {
        serde_json::from_value(serde_json::to_value(p).unwrap()).unwrap()
    };
    let mut by_them = remote.clone();
    json_patch::patch(&mut by_them, &theirs(&out.from_local)).unwrap();
    assert_eq!(by_them, out.merged);
}

#[test]
fn the_partial_update_example_finds_exactly_its_changes() {
    let snapshot = json!({"x":42,"a":1,"b":{"c":2,"d":{"e":3,"f":4},"g":5},"h":6.6,"i":[7,8,9],"j":10,"k":{"m":11},"n":66});
    let current = json!({"x":43,"a":1,"b":{"c":2,"d":{"e":3},"g":55,"new2":22},"i":[7,8,9,99],"j":10,"k":42,"n":{"new3":77},"new":11});
    let found = changes(&snapshot, &current, &MergeOptions::new()).unwrap();
    let change = |kind, path: &str, base: Option<Value>, value: Option<Value>| Change {
        kind,
        path: ptr(path),
        base,
        value,
    };
    let mut expected = vec![
        change(ChangeKind::Edit, "/x", Some(json!(42)), Some(json!(43))),
        change(ChangeKind::Create, "/new", None, Some(json!(11))),
        change(ChangeKind::Create, "/b/new2", None, Some(json!(22))),
        change(ChangeKind::Remove, "/b/d/f", Some(json!(4)), None),
        change(ChangeKind::Edit, "/b/g", Some(json!(5)), Some(json!(55))),
        change(ChangeKind::Remove, "/h", Some(json!(6.6)), None),
        change(ChangeKind::Create, "/i/3", None, Some(json!(99))),
        change(
            ChangeKind::Edit,
            "/k",
            Some(json!({"m": 11})),
            Some(json!(42)),
        ),
        change(
            ChangeKind::Edit,
            "/n",
            Some(json!(66)),
            Some(json!({"new3": 77})),
        ),
    ];
    let key = |c: &Change| c.path.to_string();
    let mut found_sorted = found.clone();
    found_sorted.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(found_sorted, expected);

    // Saved against an unchanged server, every change is taken, nothing else.
    let out = merge3(&snapshot, &current, &snapshot, &MergeOptions::new()).unwrap();
    assert_eq!(out.merged, current);
    assert_eq!(out.from_local.len(), 9);
    assert!(out.from_remote.is_empty() && out.conflicts.is_empty() && out.unsaved.is_empty());
    check(&snapshot, &current, &snapshot, &out);
}

#[test]
fn changes_that_do_not_collide_combine() {
    let base = json!({"a": 1, "b": {"c": 1, "d": 1}, "l": [1, 2]});
    let local = json!({"a": 2, "b": {"c": 2, "d": 1}, "l": [1, 2, 3]});
    let remote = json!({"a": 1, "b": {"c": 1, "d": 2}, "l": [0, 2], "new": true});
    let out = merge3(&base, &local, &remote, &MergeOptions::new()).unwrap();
    assert_eq!(
        out.merged,
        json!({"a": 2, "b": {"c": 2, "d": 2}, "l": [0, 2, 3], "new": true})
    );
    assert!(out.conflicts.is_empty());
    check(&base, &local, &remote, &out);
    // The same change on both sides is taken once, and is no conflict.
    let out = merge3(&base, &local, &local, &MergeOptions::new()).unwrap();
    assert_eq!(out.merged, local);
    assert!(out.from_local.is_empty() && out.conflicts.is_empty());
}

#[test]
fn collisions_under_each_policy() {
    let base = json!({"a": 1, "b": {"c": 1}, "k": 0});
    let local = json!({"a": 2, "k": 1});
    let remote = json!({"a": 3, "b": {"c": 2}, "k": 0});
    let conflicts = vec![
        Conflict {
            path: ptr("/a"),
            base: Some(json!(1)),
            local: Some(json!(2)),
            remote: Some(json!(3)),
        },
        Conflict {
            path: ptr("/b"),
            base: Some(json!({"c": 1})),
            local: None,
            remote: Some(json!({"c": 2})),
        },
    ];
    let run = |policy| {
        let out = merge3(
            &base,
            &local,
            &remote,
            &MergeOptions::new().auto_resolve(policy),
        )
        .unwrap();
        check(&base, &local, &remote, &out);
        out
    };

    let out = run(AutoResolve::NonColliding);
    assert_eq!(out.merged, json!({"a": 3, "b": {"c": 2}, "k": 1}));
    assert_eq!(out.conflicts, conflicts);
    assert_eq!(
        out.unsaved
            .iter()
            .map(|c| (c.kind, c.path.to_string()))
            .collect::<Vec<_>>(),
        [
            (ChangeKind::Edit, "/a".to_owned()),
            (ChangeKind::Remove, "/b".to_owned())
        ]
    );
    assert!(out.overwritten.is_empty());
    assert_eq!(
        applied(&local, &reverse_unsaved(&out)),
        json!({"a": 1, "b": {"c": 1}, "k": 1})
    );

    let out = run(AutoResolve::Off);
    assert_eq!(out.merged, remote);
    assert!(out.from_local.is_empty());
    assert_eq!(out.conflicts, conflicts);
    assert_eq!(out.unsaved.len(), 3, "every local change");
    assert_eq!(applied(&local, &reverse_unsaved(&out)), base);

    let out = run(AutoResolve::PreferRemote);
    assert_eq!(out.merged, json!({"a": 3, "b": {"c": 2}, "k": 1}));
    assert!(out.conflicts.is_empty() && out.unsaved.is_empty());
    assert_eq!(out.overwritten, conflicts);

    let out = run(AutoResolve::PreferLocal);
    assert_eq!(out.merged, json!({"a": 2, "k": 1}));
    assert!(out.conflicts.is_empty() && out.unsaved.is_empty() && out.overwritten.is_empty());
}

#[test]
fn ignored_paths_never_conflict() {
    let base = json!({"updatedAt": 1, "v": 1});
    let local = json!({"updatedAt": 2, "v": 2});
    let remote = json!({"updatedAt": 3, "v": 1});
    let options = MergeOptions::new().ignore(ptr("/updatedAt"));
    let out = merge3(&base, &local, &remote, &options).unwrap();
    assert_eq!(out.merged, json!({"updatedAt": 3, "v": 2}));
    assert!(out.conflicts.is_empty());
    check(&base, &local, &remote, &out);
    let out = merge3(
        &base,
        &local,
        &remote,
        &options.auto_resolve(AutoResolve::PreferLocal),
    )
    .unwrap();
    assert_eq!(out.merged, local);
}

#[test]
fn identity_keys_match_moved_elements() {
    let base = json!({"items": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}, {"id": 3, "n": "c"}]});
    // Local moves 3 to the front; remote edits 3 and appends 4.
    let local = json!({"items": [{"id": 3, "n": "c"}, {"id": 1, "n": "a"}, {"id": 2, "n": "b"}]});
    let remote = json!({"items": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}, {"id": 3, "n": "C"}, {"id": 4, "n": "d"}]});
    let options = MergeOptions::new().identify_by_member(ptr("/items"), "id");
    let out = merge3(&base, &local, &remote, &options).unwrap();
    assert_eq!(
        out.merged,
        json!({"items": [{"id": 3, "n": "C"}, {"id": 1, "n": "a"}, {"id": 2, "n": "b"}, {"id": 4, "n": "d"}]})
    );
    assert!(out.conflicts.is_empty());
    check(&base, &local, &remote, &out);
    assert!(out
        .from_local
        .iter()
        .any(|op| op.kind() == concord_json::OpKind::Move));
    // A reorder alone is no change.
    assert!(changes(&base, &local, &options).unwrap().is_empty());
    // By position, the same edits collide.
    let out = merge3(&base, &local, &remote, &MergeOptions::new()).unwrap();
    assert!(!out.conflicts.is_empty());
    check(&base, &local, &remote, &out);
}

#[test]
fn sorted_collections_ignore_order() {
    let options = MergeOptions::new().sort(ptr("/tags"), |a, b| a.to_string().cmp(&b.to_string()));
    let base = json!({"tags": ["a", "b"]});
    let local = json!({"tags": ["b", "a"]});
    assert!(changes(&base, &local, &options).unwrap().is_empty());
    let remote = json!({"tags": ["c", "a", "b"]});
    let out = merge3(&base, &local, &remote, &options).unwrap();
    assert_eq!(out.merged, json!({"tags": ["a", "b", "c"]}));
    assert!(out.conflicts.is_empty());
    check(&base, &local, &remote, &out);
}

#[test]
fn custom_comparisons_decide_what_changed() {
    let options = MergeOptions::new()
        .compare(ptr("/price"), |a, b| match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if (x - y).abs() < 0.01 => Compare::Equal,
            _ => Compare::NotEqual,
        })
        .compare(ptr("/text"), |a, b| {
            // Diffs strings as a list of words would; here: the whole value, as one patch.
            if a == b {
                Compare::Equal
            } else {
                Compare::Patch(patch(json!([{"op": "replace", "path": "", "value": b}])))
            }
        });
    let base = json!({"price": 1.0, "text": "x"});
    let found = changes(&base, &json!({"price": 1.001, "text": "y"}), &options).unwrap();
    assert_eq!(
        found,
        [Change {
            kind: ChangeKind::Edit,
            path: ptr("/text"),
            base: Some(json!("x")),
            value: Some(json!("y"))
        }]
    );
    let local = json!({"price": 1.001, "text": "x"});
    let remote = json!({"price": 2.0, "text": "z"});
    let out = merge3(&base, &local, &remote, &options).unwrap();
    assert_eq!(
        out.merged, remote,
        "the local price change is below the tolerance"
    );
    assert!(out.conflicts.is_empty());
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        (0..4i64).prop_map(Value::from),
        "[ab]".prop_map(Value::from)
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 20, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[abc]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            prop::collection::btree_map(0..5u8, "[xy]", 0..4).prop_map(|m| {
                Value::from(
                    m.into_iter()
                        .map(|(id, v)| json!({"id": id, "v": v}))
                        .collect::<Vec<_>>(),
                )
            }),
        ]
    })
}

/// A random descendant of `v`: some values replaced, removed or added, arrays shuffled.
fn descendant(v: Value, seed: u64) -> Value {
    fn go(v: Value, s: &mut u64) -> Value {
        *s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (*s >> 33) % 12;
        match v {
            _ if r == 0 => json!(r),
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    if (*s >> 40) % 7 != 0 {
                        out.insert(k, go(v, s));
                    }
                    *s = s.wrapping_add(1);
                }
                if r == 1 {
                    out.insert("z".into(), json!(1));
                }
                Value::Object(out)
            }
            Value::Array(a) => {
                let mut out: Vec<Value> = a.into_iter().map(|v| go(v, s)).collect();
                if r == 2 && !out.is_empty() {
                    out.rotate_left(1);
                }
                if r == 3 {
                    out.push(json!({"id": 9, "v": "n"}));
                }
                if r == 4 {
                    out.pop();
                }
                Value::Array(out)
            }
            v => v,
        }
    }
    let mut s = seed;
    go(v, &mut s)
}

proptest! {
    /// Whatever the values and the policy, the outcome's patches do what they promise, and
    /// a side that changed nothing gives the other side.
    #[test]
    fn outcomes_keep_their_promises(base in value(), sl in any::<u64>(), sr in any::<u64>(), policy in 0..4usize, keyed in any::<bool>()) {
        let base = json!({"root": base});
        let (local, remote) = (descendant(base.clone(), sl), descendant(base.clone(), sr));
        let policy = [AutoResolve::Off, AutoResolve::NonColliding, AutoResolve::PreferRemote, AutoResolve::PreferLocal][policy];
        let mut options = MergeOptions::new().auto_resolve(policy);
        if keyed {
            options = options.identify_by_member(ptr("/root"), "id").identify_by_member(ptr("/root/*"), "id");
        }
        let out = merge3(&base, &local, &remote, &options).unwrap();
        check(&base, &local, &remote, &out);
        if policy != AutoResolve::Off {
            prop_assert_eq!(merge3(&base, &local, &base, &options).unwrap().merged, local.clone());
        }
        prop_assert_eq!(merge3(&base, &base, &remote, &options).unwrap().merged, remote.clone());
        prop_assert_eq!(merge3(&base, &remote, &remote, &options).unwrap().merged, remote.clone());
        if out.conflicts.is_empty() && out.overwritten.is_empty() && policy == AutoResolve::NonColliding {
            prop_assert!(out.unsaved.is_empty());
        }
    }
}
