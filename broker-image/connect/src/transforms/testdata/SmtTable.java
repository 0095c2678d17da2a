// Runs Apache Kafka Connect's own transforms and predicates over the cases in smt_cases.json
// (argument 1) and prints one JSON line per case: the transformed record, the record dropped,
// the predicate's answer, or the exception's message. `transforms::differential` runs the same
// cases through Kaskade's transforms and compares. Run with Kafka Connect's jars:
//   java -cp "$KASKADE_CACHE/connect-4.3.1/libs/*" SmtTable.java smt_cases.json
// Records travel as JsonConverter envelopes ({"schema": ..., "payload": ...}).

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TimeZone;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

public class SmtTable {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonConverter CONVERTER = new JsonConverter();

    static SchemaAndValue decode(JsonNode envelope) throws Exception {
        if (envelope == null || envelope.isNull()) return SchemaAndValue.NULL;
        return CONVERTER.toConnectData("t", MAPPER.writeValueAsBytes(envelope));
    }

    static JsonNode encode(org.apache.kafka.connect.data.Schema schema, Object value) throws Exception {
        byte[] bytes = CONVERTER.fromConnectData("t", schema, value);
        return bytes == null ? MAPPER.nullNode() : MAPPER.readTree(bytes);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) throws Exception {
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        CONVERTER.configure(Map.of("schemas.enable", "true"), false);
        JsonNode cases = MAPPER.readTree(new File(args[0]));
        for (JsonNode c : cases) {
            ObjectNode out = MAPPER.createObjectNode();
            out.put("name", c.get("name").asText());
            Map<String, String> config = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : c.get("config").properties()) {
                config.put(e.getKey(), e.getValue().asText());
            }
            ConnectRecord record;
            try {
                JsonNode r = c.get("record");
                ConnectHeaders headers = new ConnectHeaders();
                if (r.has("headers")) {
                    for (JsonNode h : r.get("headers")) {
                        SchemaAndValue hv = decode(h.get("value"));
                        headers.add(h.get("key").asText(), hv.value(), hv.schema());
                    }
                }
                SchemaAndValue key = decode(r.get("key"));
                SchemaAndValue value = decode(r.get("value"));
                String topic = r.get("topic").asText();
                Integer partition = r.hasNonNull("partition") ? r.get("partition").asInt() : null;
                Long timestamp = r.hasNonNull("timestamp") ? r.get("timestamp").asLong() : null;
                record = c.path("sink").asBoolean(false)
                        ? new SinkRecord(topic, partition == null ? 0 : partition, key.schema(), key.value(), value.schema(), value.value(),
                                42L, timestamp, TimestampType.CREATE_TIME, headers)
                        : new SourceRecord(Map.of("table", "t"), Map.of("id", 1), topic, partition, key.schema(), key.value(),
                                value.schema(), value.value(), timestamp, headers);
            } catch (Exception e) {
                out.put("inputError", String.valueOf(e.getMessage()));
                System.out.println(MAPPER.writeValueAsString(out));
                continue;
            }
            Object plugin;
            try {
                plugin = Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
                if (plugin instanceof Transformation) ((Transformation) plugin).configure(config);
                else ((Predicate) plugin).configure(config);
            } catch (Exception e) {
                out.put("configError", String.valueOf(e.getMessage()));
                System.out.println(MAPPER.writeValueAsString(out));
                continue;
            }
            ConnectRecord result = null;
            try {
                if (plugin instanceof Predicate) {
                    out.put("test", ((Predicate) plugin).test(record));
                } else {
                    result = ((Transformation) plugin).apply(record);
                    if (result == null) out.put("dropped", true);
                }
            } catch (Exception e) {
                out.put("error", String.valueOf(e.getMessage()));
            }
            if (result != null) {
                try {
                    ObjectNode rec = MAPPER.createObjectNode();
                    rec.put("topic", result.topic());
                    if (result.kafkaPartition() != null) rec.put("partition", result.kafkaPartition());
                    if (result.timestamp() != null) rec.put("timestamp", result.timestamp());
                    rec.set("key", encode(result.keySchema(), result.key()));
                    rec.set("value", encode(result.valueSchema(), result.value()));
                    ArrayNode hs = rec.putArray("headers");
                    for (Header h : result.headers()) {
                        ObjectNode ho = hs.addObject();
                        ho.put("key", h.key());
                        ho.set("value", encode(h.schema(), h.value()));
                    }
                    out.set("record", rec);
                } catch (Exception e) {
                    out.put("encodeError", String.valueOf(e.getMessage()));
                }
            }
            System.out.println(MAPPER.writeValueAsString(out));
        }
    }
}
