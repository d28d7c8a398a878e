//! The replays the benches and the trace tool time reach each trace's end content.

use concord::ReadDoc;
use concord_benches::{
    list_text, load_concurrent, load_sequential, replay_forked, replay_local_list, replay_replicas,
};

/// One document per live branch: forks and merges as the transaction graph asks, and the last
/// transaction's document holds the whole history, as every replica of the other replay does.
#[test]
fn a_document_per_branch_reaches_the_end_content() {
    let trace = load_concurrent("friendsforever");
    let run = replay_forked(&trace).expect("every merge applies");
    assert!(run.doc.text(run.text).unwrap() == trace.end_content);
    let merged = trace.txns().filter(|t| t.parents.len() > 1).count();
    assert!(
        run.merges >= merged,
        "{} merges for {merged} merge txns",
        run.merges
    );
    assert!(run.forks > 0 && run.max_live_docs > 1);
    // Every transaction is in the last document, once.
    let replicas = replay_replicas(&trace).expect("every message loads");
    for doc in &replicas.docs {
        assert_eq!(doc.changes().len(), run.doc.changes().len());
        assert!(doc.text(replicas.text).unwrap() == trace.end_content);
    }
}

/// A list of scalars replays a sequential trace as a text does: the same sequence tree under
/// registers, one element per character.
#[test]
fn a_list_of_characters_reaches_the_end_content() {
    let trace = load_sequential("friendsforever_flat");
    let (doc, list) = replay_local_list(&trace);
    assert!(list_text(&doc, list) == trace.end_content);
    let loaded = concord::Doc::load(&doc.clone().save()).expect("the save loads");
    assert!(list_text(&loaded, list) == trace.end_content);
}
