//! The fuzz harnesses, driven by seeded random inputs (structured, then mutated byte by
//! byte), and the kept crashers replayed.

use std::path::PathBuf;

use concord_json::fuzzing;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

fn random_value(rng: &mut StdRng, depth: usize) -> Value {
    match rng.gen_range(0..if depth == 0 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.gen()),
        2 => json!(rng.gen_range(-3..4)),
        3 => json!(["a", "b", "é", "~/", ""][rng.gen_range(0..5)]),
        4 => json!(rng.gen::<f64>()),
        5 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        ),
        6 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(
                    |i| json!({"id": (i + rng.gen_range(0..2)), "v": random_value(rng, depth - 1)}),
                )
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.gen_range(0..4))
                .map(|_| {
                    (
                        ["a", "b", "id", "0", "~", ""][rng.gen_range(0..6)].to_owned(),
                        random_value(rng, depth - 1),
                    )
                })
                .collect::<Map<_, _>>(),
        ),
    }
}

/// A pointer that often names something in `doc`, sometimes not, sometimes malformed.
fn random_pointer(rng: &mut StdRng, doc: &Value) -> String {
    let mut out = String::new();
    let mut v = doc;
    while rng.gen_bool(0.7) {
        let token = match v {
            Value::Object(m) if !m.is_empty() && rng.gen_bool(0.8) => {
                let k = m
                    .keys()
                    .nth(rng.gen_range(0..m.len()))
                    .cloned()
                    .unwrap_or_default();
                v = &m[&k];
                k.replace('~', "~0").replace('/', "~1")
            }
            Value::Array(a) if !a.is_empty() && rng.gen_bool(0.8) => {
                let i = rng.gen_range(0..a.len());
                v = &a[i];
                i.to_string()
            }
            _ => ["-", "01", "9", "x", "~2", "", "1e0"][rng.gen_range(0..7)].to_owned(),
        };
        out.push('/');
        out.push_str(&token);
    }
    out
}

fn random_patch(rng: &mut StdRng, doc: &Value) -> Value {
    let ops = (0..rng.gen_range(0..5))
        .map(|_| {
            let path = random_pointer(rng, doc);
            let from = random_pointer(rng, doc);
            let value = random_value(rng, 2);
            match rng.gen_range(0..7) {
                0 => json!({"op": "add", "path": path, "value": value}),
                1 => json!({"op": "remove", "path": path}),
                2 => json!({"op": "replace", "path": path, "value": value}),
                3 => json!({"op": "move", "from": from, "path": path}),
                4 => json!({"op": "copy", "from": from, "path": path}),
                5 => json!({"op": "test", "path": path, "value": value}),
                _ => json!({"op": "spam", "path": path}),
            }
        })
        .collect::<Vec<_>>();
    Value::Array(ops)
}

fn lines(values: &[&Value]) -> Vec<u8> {
    let text: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    text.join("\n").into_bytes()
}

/// Flips, drops or duplicates a few bytes.
fn mutate(rng: &mut StdRng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..rng.gen_range(1..4) {
        if bytes.is_empty() {
            break;
        }
        let i = rng.gen_range(0..bytes.len());
        match rng.gen_range(0..3) {
            0 => bytes[i] = rng.gen(),
            1 => {
                bytes.remove(i);
            }
            _ => bytes.insert(i, bytes[i]),
        }
    }
    bytes
}

#[test]
fn json_patch_harness_on_seeded_inputs() {
    let mut rng = StdRng::seed_from_u64(0x6a73_6f6e);
    for _ in 0..3000 {
        let mut doc = random_value(&mut rng, 3);
        if rng.gen_bool(0.8) {
            doc = json!({"root": doc, "k": random_value(&mut rng, 2)});
        }
        let patch = random_patch(&mut rng, &doc);
        let input = lines(&[&doc, &patch]);
        fuzzing::json_patch(&input);
        fuzzing::json_patch(&mutate(&mut rng, input));
    }
}

#[test]
fn json_pointer_harness_on_seeded_inputs() {
    let mut rng = StdRng::seed_from_u64(0x0070_7472);
    let sample = json!({"a": [1, {"b": "c"}], "": {"~/": [[]]}, "0": null});
    for _ in 0..1000 {
        let pointer = random_pointer(&mut rng, &sample);
        fuzzing::json_pointer(pointer.as_bytes());
        fuzzing::json_pointer(&mutate(&mut rng, pointer.into_bytes()));
    }
}

#[test]
fn merge3_harness_on_seeded_inputs() {
    let mut rng = StdRng::seed_from_u64(0x006d_6572_6765);
    for _ in 0..400 {
        let base = json!({"r": random_value(&mut rng, 3)});
        let side = |rng: &mut StdRng| {
            let mut v = base.clone();
            for _ in 0..rng.gen_range(0..4) {
                let p = random_patch(rng, &v);
                if let Ok(p) = serde_json::from_value(p) {
                    let _ = concord_json::apply_patch_to_value(&mut v, &p);
                }
            }
            v
        };
        let (local, remote) = (side(&mut rng), side(&mut rng));
        let input = lines(&[&base, &local, &remote]);
        fuzzing::merge3(&input);
        fuzzing::merge3(&mutate(&mut rng, input));
    }
}

#[test]
fn kept_crashers_replay() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashers");
    assert!(
        dir.join("README.md").is_file(),
        "the crashers live in {}",
        dir.display()
    );
    type Harness = fn(&[u8]);
    let targets: [(&str, Harness); 3] = [
        ("json_patch", fuzzing::json_patch),
        ("json_pointer", fuzzing::json_pointer),
        ("merge3", fuzzing::merge3),
    ];
    for (name, run) in targets {
        // A target's folder exists once it has a crasher (git keeps no empty folders).
        let Ok(entries) = std::fs::read_dir(dir.join(name)) else {
            continue;
        };
        for entry in entries.flatten() {
            run(&std::fs::read(entry.path()).expect("a readable crasher"));
        }
    }
}
