//! Two replicas edit one document offline, merge, and agree.
//!
//! Run with `cargo run --release --example two_replicas`. It prints the merged document as
//! JSON-like text, then the conflicts that merging kept.

use concord::{Doc, DocError, ObjId, ObjType, OpId, ReadDoc, ScalarValue, Value, ROOT};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alice starts a shopping list and shares it with Bob.
    let mut alice = Doc::new();
    let (items, notes) = alice.transact(|tx| {
        tx.set_message("start the list");
        tx.put(ROOT, "title", "Groceries")?;
        tx.put(ROOT, "visits", ScalarValue::counter(0))?;
        let items = tx.put_object(ROOT, "items", ObjType::List)?;
        tx.insert(items, 0, "milk")?;
        let notes = tx.put_object(ROOT, "notes", ObjType::Text)?;
        tx.splice_text(notes, 0, 0, "buy milk")?;
        Ok::<_, DocError>((items, notes))
    })?;
    let mut bob = alice.fork();

    // Offline, both edit the same things.
    alice.transact(|tx| {
        tx.set_message("alice's edits");
        tx.put(ROOT, "title", "Groceries for Sunday")?;
        tx.insert(items, 1, "eggs")?;
        tx.splice_text(notes, 4, 0, "oat ")?;
        tx.increment(ROOT, "visits", 1)
    })?;
    bob.transact(|tx| {
        tx.set_message("bob's edits");
        tx.put(ROOT, "title", "Weekend shopping")?;
        tx.group("move milk to the end", |tx| {
            tx.delete(items, 0)?;
            tx.insert(items, 0, "bread")?;
            tx.insert(items, 1, "milk")
        })?;
        tx.splice_text(notes, 8, 0, " and bread")?;
        tx.increment(ROOT, "visits", 1)
    })?;

    // They meet and merge both ways.
    alice.merge(&bob)?;
    bob.merge(&alice)?;
    assert_eq!(alice.heads(), bob.heads());
    assert_eq!(
        render(&alice, &ROOT, ObjType::Map)?,
        render(&bob, &ROOT, ObjType::Map)?
    );

    println!("merged document:");
    println!("{}", render(&alice, &ROOT, ObjType::Map)?);
    println!();
    println!("conflicts kept by the merge:");
    for key in alice.keys(ROOT) {
        let all = alice.get_all(ROOT, key.as_str())?;
        if all.len() > 1 {
            let (_, winner) = alice
                .get(ROOT, key.as_str())?
                .expect("a conflicted key has values");
            println!("  {key}: {} values", all.len());
            for (value, id) in all {
                let mark = if id == winner { " (winner)" } else { "" };
                println!("    {id}: {value}{mark}");
            }
        }
    }
    println!();
    println!("history:");
    for change in alice.changes() {
        let groups: Vec<&str> = change.groups().iter().map(|g| g.name()).collect();
        println!(
            "  {} seq {} ({} ops) {:?} groups {:?}",
            change.actor(),
            change.seq(),
            change.len(),
            change.message().unwrap_or(""),
            groups
        );
    }
    Ok(())
}

/// The object as JSON-like text (the winner of every register).
fn render(doc: &Doc, obj: &ObjId, typ: ObjType) -> Result<String, DocError> {
    let value = |v: Value, id: OpId| match v {
        Value::Object(t) => render(doc, &ObjId::from(id), t),
        Value::Scalar(s) => Ok(s.to_string()),
    };
    Ok(match typ {
        ObjType::Text => format!("{:?}", doc.text(obj)?),
        ObjType::List => {
            let items: Result<Vec<String>, DocError> = doc
                .values(obj)?
                .into_iter()
                .map(|(v, id)| value(v, id))
                .collect();
            format!("[{}]", items?.join(", "))
        }
        ObjType::Map => {
            let mut fields = Vec::new();
            for key in doc.keys(obj) {
                let (v, id) = doc
                    .get(obj, key.as_str())?
                    .expect("listed keys have values");
                fields.push(format!("{key:?}: {}", value(v, id)?));
            }
            format!("{{{}}}", fields.join(", "))
        }
    })
}
