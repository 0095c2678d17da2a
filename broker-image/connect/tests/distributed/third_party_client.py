"""Drives a Kafka Connect worker with a third-party REST client, kafka-connect-py (PyPI), as a
user's script would: cluster info, create, list with expansions, status, pause and resume,
restart, task status, topics, update, validate, stop and delete. Exits non-zero on the first
answer that is not what Apache Kafka Connect gives.

usage: python third_party_client.py URL INPUT_FILE OUTPUT_FILE
"""
import sys
import time

from kafka_connect import KafkaConnect

url, input_file, output_file = sys.argv[1:4]
kc = KafkaConnect(url=url)


def wait(what, check, timeout=60):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def state(name):
    return kc.get_connector_status(name)["connector"]["state"]


info = kc.get_cluster_info()
assert set(info) == {"version", "commit", "kafka_cluster_id"}, info

kc.create_connector({"name": "tp-src", "config": {"connector.class": "FileStreamSource", "file": input_file, "topic": "tp-topic"}})
kc.create_connector({"name": "tp-snk", "config": {"connector.class": "FileStreamSink", "file": output_file, "topics": "tp-topic"}})
assert sorted(kc.list_connectors()) == ["tp-snk", "tp-src"]
wait("both running", lambda: all(
    c["status"]["connector"]["state"] == "RUNNING" and [t["state"] for t in c["status"]["tasks"]] == ["RUNNING"]
    for c in kc.list_connectors(expand="status").values()
) and len(kc.list_connectors(expand="status")) == 2)
# The client filters by state and name on the answers of ?expand=status.
assert sorted(kc.list_connectors(state="running", pattern="tp-s.*")) == ["tp-snk", "tp-src"]
assert kc.list_connectors(state="paused") == []

wait("the lines in the sink", lambda: open(output_file).read().splitlines() == [f"line-{i}" for i in range(100)])
assert kc.get_connector("tp-src")["type"] == "source"
assert kc.get_connector_config("tp-snk")["topics"] == "tp-topic"
assert kc.list_connector_tasks("tp-src")[0]["id"] == {"connector": "tp-src", "task": 0}
assert kc.get_connector_task_status("tp-src", 0)["state"] == "RUNNING"
assert kc.list_connector_topics("tp-src") == {"tp-src": {"topics": ["tp-topic"]}}

kc.pause_connector("tp-snk")
wait("paused", lambda: state("tp-snk") == "PAUSED")
kc.resume_connector("tp-snk")
wait("resumed", lambda: state("tp-snk") == "RUNNING")
kc.restart_connector("tp-src")
kc.restart_connector("tp-src", include_tasks=True)
kc.restart_connector_task("tp-src", 0)
wait("restarted", lambda: state("tp-src") == "RUNNING")

updated = kc.update_connector("tp-src", {"connector.class": "FileStreamSource", "file": input_file, "topic": "tp-topic", "batch.size": "10"})
assert updated["config"]["batch.size"] == "10", updated
validation = kc.validate_connector_config("FileStreamSource", {"connector.class": "FileStreamSource", "topic": ""})
assert validation["error_count"] == 2, validation  # name missing, topic empty

kc.stop_connector("tp-src")
wait("stopped", lambda: state("tp-src") == "STOPPED")
kc.delete_connector("tp-src")
kc.delete_connector("tp-snk")
wait("deleted", lambda: kc.list_connectors() == [])
print("kafka-connect-py drove the worker through every call")
