//! librdkafka helpers shared by the tests: topic creation through the AdminClient and consumers
//! that read partitions by assignment (the broker serves no consumer groups yet).

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};

/// Creates a topic (replication factor 1) with the AdminClient and asserts it was created.
pub async fn create_topic(bootstrap: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client");
    let mut t = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for (k, v) in configs {
        t = t.set(k, v);
    }
    for r in admin.create_topics(&[t], &AdminOptions::new()).await.expect("create_topics") {
        r.expect("topic created");
    }
}

/// A consumer assigned to partitions `0..partitions` of `topic` from the beginning, with extra
/// librdkafka settings. librdkafka needs a group.id to assign(); with no subscribe() and no
/// commits it never uses the group.
pub fn assigned_consumer(bootstrap: &str, topic: &str, partitions: i32, extra: &[(&str, &str)]) -> BaseConsumer {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap)
        .set("group.id", "assign-only")
        .set("enable.auto.commit", "false");
    for (k, v) in extra {
        c.set(*k, *v);
    }
    let consumer: BaseConsumer = c.create().expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning).expect("tpl");
    }
    consumer.assign(&tpl).expect("assign");
    consumer
}
