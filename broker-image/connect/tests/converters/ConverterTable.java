// Apache Kafka Connect's converters on a table of records: the reference output that
// tests/converters/main.rs compares Kaskade's converters with, byte for byte.
//
//   java -Duser.timezone=UTC -Xss64m -cp "$CONNECT_LIBS/*" ConverterTable.java DIR
//
// DIR holds json_inputs.txt and header_inputs.txt (one JSON string literal per line, '#'
// comments). Prints one line per result: SECTION <tab> NAME <tab> RESULT, where RESULT is
// "=" + base64 of the bytes, "null" for null bytes, "!" + the exception's message, or a
// description of a SchemaAndValue (see describe; main.rs writes the same text).
// The Rust test builds the same records in the same order; keep the two tables in step.

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.converters.*;
import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.*;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import org.apache.kafka.connect.data.Date;

public class ConverterTable {
    static final long DAY = 86400000L;
    static PrintStream out;

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        Path dir = Path.of(args[0]);
        Map<String, JsonConverter> json = jsonConverters();

        for (Object[] c : dataCases()) {
            String name = (String) c[0];
            Schema schema = (Schema) c[1];
            for (Map.Entry<String, JsonConverter> e : json.entrySet()) {
                if (e.getKey().equals("content")) continue; // it only reads differently
                byte[] bytes;
                try {
                    bytes = e.getValue().fromConnectData("t", schema, c[2]);
                } catch (Exception ex) {
                    line("json", name + "/" + e.getKey(), "!" + ex.getMessage());
                    continue;
                }
                line("json", name + "/" + e.getKey(), bytes(bytes));
                // A HashMap of structs iterates in an order that changes from run to run (a
                // schema's hashCode hashes an enum by identity): no round trip for those.
                if (e.getKey().equals("env") && bytes != null && !name.equals("map-struct-keys")) {
                    line("roundtrip", name, roundTrip(e.getValue(), bytes));
                }
            }
        }

        randomCases(json.get("bare"));

        List<String> inputs = readInputs(dir.resolve("json_inputs.txt"));
        for (int i = 0; i < inputs.size(); i++) {
            byte[] input = inputs.get(i).equals("<null>") ? null : inputs.get(i).getBytes(StandardCharsets.UTF_8);
            for (String cfg : List.of("env", "bare", "numeric", "content")) {
                JsonConverter c = json.get(cfg);
                String name = i + "/" + cfg;
                SchemaAndValue sv;
                try {
                    sv = c.toConnectData("t", input);
                } catch (Exception ex) {
                    line("parse", name, "!" + ex.getMessage());
                    continue;
                }
                line("parse", name, describe(sv));
                try {
                    line("reparse", name, bytes(c.fromConnectData("t", sv.schema(), sv.value())));
                } catch (Exception ex) {
                    line("reparse", name, "!" + ex.getMessage());
                }
            }
        }

        otherConverters();

        SimpleHeaderConverter headers = new SimpleHeaderConverter();
        headers.configure(Map.of());
        List<String> headerInputs = readInputs(dir.resolve("header_inputs.txt"));
        for (int i = 0; i < headerInputs.size(); i++) {
            SchemaAndValue sv = headers.toConnectHeader("t", "h", headerInputs.get(i).getBytes(StandardCharsets.UTF_8));
            line("header", String.valueOf(i), describe(sv));
            if (sv != null) {
                try {
                    line("header-back", String.valueOf(i), bytes(headers.fromConnectHeader("t", "h", sv.schema(), sv.value())));
                } catch (Exception ex) {
                    line("header-back", String.valueOf(i), "!" + ex.getMessage());
                }
            }
        }
        int n = 0;
        for (Object v : headerValues()) {
            try {
                line("header-from", String.valueOf(n++), bytes(headers.fromConnectHeader("t", "h", null, v)));
            } catch (Exception ex) {
                line("header-from", String.valueOf(n - 1), "!" + ex.getMessage());
            }
        }
    }

    static final String CONTENT = "{\"type\":\"struct\",\"optional\":true,\"fields\":[{\"type\":\"int32\",\"field\":\"a\",\"default\":1},"
        + "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"optional\":true,\"field\":\"b\"}]}";

    static Map<String, JsonConverter> jsonConverters() {
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        configs.put("env", Map.of());
        configs.put("bare", Map.of("schemas.enable", "false"));
        configs.put("numeric", Map.of("decimal.format", "NUMERIC"));
        configs.put("keep-null", Map.of("replace.null.with.default", "false"));
        configs.put("content", Map.of("schema.content", CONTENT));
        Map<String, JsonConverter> result = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : configs.entrySet()) {
            JsonConverter c = new JsonConverter();
            c.configure(e.getValue(), false);
            result.put(e.getKey(), c);
        }
        return result;
    }

    static String roundTrip(JsonConverter c, byte[] bytes) {
        try {
            SchemaAndValue sv = c.toConnectData("t", bytes);
            return bytes(c.fromConnectData("t", sv.schema(), sv.value()));
        } catch (Exception ex) {
            return "!" + ex.getMessage();
        }
    }

    static List<String> readInputs(Path file) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> inputs = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (l.isBlank() || l.startsWith("#")) continue;
            inputs.add(mapper.readValue(l, String.class));
        }
        return inputs;
    }

    static void line(String section, String name, String result) {
        out.println(section + "\t" + name + "\t" + result.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"));
    }

    static String bytes(byte[] b) {
        return b == null ? "null" : "=" + Base64.getEncoder().encodeToString(b);
    }

    // ---- the records ----

    static final List<Object[]> CASES = new ArrayList<>();

    static void c(String name, Schema schema, Object value) {
        CASES.add(new Object[] {name, schema, value});
    }

    static byte[] b(int... values) {
        byte[] r = new byte[values.length];
        for (int i = 0; i < values.length; i++) r[i] = (byte) values[i];
        return r;
    }

    static List<Object> list(Object... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    static Map<Object, Object> map(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static Schema array(Schema items) {
        return SchemaBuilder.array(items).build();
    }

    static Schema mapOf(Schema k, Schema v) {
        return SchemaBuilder.map(k, v).build();
    }

    static final Schema INNER = SchemaBuilder.struct().name("inner").version(2)
        .field("x", Schema.INT32_SCHEMA).field("y", Schema.OPTIONAL_STRING_SCHEMA).build();

    static Struct inner(int x, String y) {
        return new Struct(INNER).put("x", x).put("y", y);
    }

    static List<Object[]> dataCases() {
        Schema S = Schema.STRING_SCHEMA;
        c("int8", Schema.INT8_SCHEMA, (byte) -128);
        c("int16", Schema.INT16_SCHEMA, (short) 32767);
        c("int32", Schema.INT32_SCHEMA, Integer.MIN_VALUE);
        c("int64", Schema.INT64_SCHEMA, Long.MAX_VALUE);
        c("float32", Schema.FLOAT32_SCHEMA, 3.25f);
        c("float64", Schema.FLOAT64_SCHEMA, 0.1);
        c("boolean", Schema.BOOLEAN_SCHEMA, true);
        c("string", S, "a\u0000\u0001\u001f\u007f\b\t\n\f\r\"\\/ é€\ud83d\ude00\u2028\u2029\ufeff\u0080\u009f");
        c("bytes", Schema.BYTES_SCHEMA, b(0, 1, 2, 0x7f, 0x80, 0xfe, 0xff));
        c("bytes-empty", Schema.BYTES_SCHEMA, new byte[0]);
        c("optional-null", Schema.OPTIONAL_STRING_SCHEMA, null);
        c("optional-int-null", Schema.OPTIONAL_INT64_SCHEMA, null);
        c("default-null", SchemaBuilder.int32().defaultValue(42).build(), null);
        c("optional-default-null", SchemaBuilder.string().optional().defaultValue("dflt").build(), null);
        c("described", SchemaBuilder.string().name("com.example.Name").version(3).doc("a \"doc\"\n")
            .parameter("b", "2").parameter("a", "1").optional().defaultValue("dflt").build(), "x");
        c("array", array(Schema.INT32_SCHEMA), list(1, 2, 3));
        c("array-empty", array(Schema.INT32_SCHEMA), list());
        c("array-optional-items", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().name("arr").doc("d").build(),
            list(1, null, 3));
        c("array-nested", array(array(S)), list(list("a", "b"), list(), list("c")));
        c("array-default", SchemaBuilder.array(Schema.INT32_SCHEMA).optional().defaultValue(list(7, 8)).build(), null);
        c("map-string", mapOf(S, Schema.INT32_SCHEMA), map("b", 2, "a", 1, "c", 3));
        c("map-int-keys", mapOf(Schema.INT32_SCHEMA, S), map(2, "two", 1, "one"));
        c("map-optional-values", mapOf(S, Schema.OPTIONAL_FLOAT64_SCHEMA), map("x", null, "y", 1.5));
        c("map-struct-keys", mapOf(INNER, Schema.INT64_SCHEMA), map(inner(1, "a"), 1L, inner(2, null), 2L));
        c("map-default", SchemaBuilder.map(S, S).optional().defaultValue(map("k", "v")).build(), null);
        c("map-of-maps", mapOf(S, mapOf(Schema.INT64_SCHEMA, Schema.BOOLEAN_SCHEMA)), map("outer", map(5L, true, -5L, false)));

        Schema all = SchemaBuilder.struct().name("com.example.All").doc("every type")
            .field("i8", Schema.INT8_SCHEMA).field("i16", Schema.INT16_SCHEMA)
            .field("i32", Schema.INT32_SCHEMA).field("i64", Schema.INT64_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA).field("f64", Schema.FLOAT64_SCHEMA)
            .field("bool", Schema.BOOLEAN_SCHEMA).field("str", S).field("bytes", Schema.BYTES_SCHEMA)
            .field("opt", Schema.OPTIONAL_STRING_SCHEMA)
            .field("dflt", SchemaBuilder.int32().defaultValue(5).build())
            .field("odflt", SchemaBuilder.string().optional().defaultValue("z").build())
            .field("arr", array(INNER)).field("map", mapOf(S, INNER)).field("inner", INNER)
            .field("dec", Decimal.schema(2)).field("date", Date.SCHEMA).field("time", Time.SCHEMA)
            .field("ts", Timestamp.SCHEMA).field("odec", Decimal.builder(3).optional().build())
            .build();
        Struct s = new Struct(all).put("i8", (byte) 1).put("i16", (short) 2).put("i32", 3).put("i64", 4L)
            .put("f32", 5.5f).put("f64", 6.25).put("bool", false).put("str", "s").put("bytes", b(9))
            .put("arr", list(inner(1, "one"), inner(2, null))).put("map", map("m", inner(3, "three")))
            .put("inner", inner(4, "four")).put("dec", new BigDecimal("-0.05")).put("date", new java.util.Date(DAY * 3))
            .put("time", new java.util.Date(1000)).put("ts", new java.util.Date(1680643371000L));
        c("struct-all", all, s);
        c("struct-optional-null", SchemaBuilder.struct().optional().field("a", Schema.INT32_SCHEMA).build(), null);

        c("decimal", Decimal.schema(2), new BigDecimal("12.34"));
        c("decimal-negative", Decimal.schema(2), new BigDecimal("-12.34"));
        c("decimal-large", Decimal.schema(5), new BigDecimal("-123456789012345678901234567890.12345"));
        c("decimal-zero", Decimal.schema(2), new BigDecimal("0.00"));
        c("decimal-minus-one", Decimal.schema(0), new BigDecimal("-1"));
        c("decimal-128", Decimal.schema(0), new BigDecimal("128"));
        c("decimal-negative-scale", Decimal.schema(-2), new BigDecimal("1.2E+3"));
        c("decimal-tiny", Decimal.schema(9), new BigDecimal("0.000000001"));
        c("decimal-optional-null", Decimal.builder(2).optional().build(), null);
        c("decimal-default", Decimal.builder(2).defaultValue(new BigDecimal("1.00")).build(), null);

        c("date", Date.SCHEMA, new java.util.Date(19724 * DAY));
        c("date-negative", Date.SCHEMA, new java.util.Date(-DAY));
        c("time", Time.SCHEMA, new java.util.Date(45296789));
        c("timestamp", Timestamp.SCHEMA, new java.util.Date(1680643371000L));
        c("timestamp-negative", Timestamp.SCHEMA, new java.util.Date(-1));
        c("timestamp-optional-null", Timestamp.builder().optional().build(), null);

        c("doubles", array(Schema.FLOAT64_SCHEMA), list(1.0, 1e10, 1e-5, 0.001, 1e7, 9999999.0, 1e23,
            2.82879384806159E17, 4.9E-324, 1e-323, Double.MAX_VALUE, 0.1 + 0.2, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 100.0, 123456.789, -1.5e-7,
            1e-3 * 0.9999, 5e-324 * 3, 2.2250738585072014E-308, 2.225073858507201E-308, 9007199254740993.0,
            1e21, 1e22, 123e300, 0.5, 2e-3, 1.0E-4));
        c("floats", array(Schema.FLOAT32_SCHEMA), list(1.0f, 0.1f, 1e10f, Float.MAX_VALUE, Float.MIN_VALUE,
            1.17549435E-38f, 16777216f, 1e-3f, 9999999f, 1e7f, Float.NaN, -0.0f, 3.4e38f, 1.0e-45f * 3, 0.3f,
            Float.POSITIVE_INFINITY));

        c("schemaless-int", null, 5);
        c("schemaless-long", null, 5L);
        c("schemaless-short", null, (short) 5);
        c("schemaless-byte", null, (byte) 5);
        c("schemaless-double", null, 1e10);
        c("schemaless-float", null, 0.1f);
        c("schemaless-string", null, "s");
        c("schemaless-bool", null, false);
        c("schemaless-bytes", null, b(1, 2, 3));
        c("schemaless-list", null, list(1, "a", null, list(2L)));
        c("schemaless-map", null, map("b", 1, "a", list(true)));
        c("schemaless-map-mixed-keys", null, map(1, "a", "b", 2));
        c("schemaless-null", null, null);
        c("schemaless-struct", null, inner(1, "a"));
        c("schemaless-decimal", null, new BigDecimal("1"));

        c("err-int32-string", Schema.INT32_SCHEMA, "x");
        c("err-required-null", Schema.INT32_SCHEMA, null);
        c("err-decimal-scale", Decimal.schema(2), new BigDecimal("1.5"));
        c("err-struct-schema", SchemaBuilder.struct().field("x", Schema.INT32_SCHEMA).build(), inner(1, null));
        c("err-date-time-part", Date.SCHEMA, new java.util.Date(1));
        c("err-time-range", Time.SCHEMA, new java.util.Date(DAY + 1));
        c("err-timestamp-class", Timestamp.SCHEMA, 5L);
        c("err-bytes-class", Schema.BYTES_SCHEMA, "x");
        c("err-array-class", array(Schema.INT32_SCHEMA), "x");
        c("err-map-value", mapOf(S, Schema.INT32_SCHEMA), map("k", "v"));
        return CASES;
    }

    // SplitMix64, as main.rs has it.
    static long state = 0x0123456789ABCDEFL;

    static long next() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static void randomCases(JsonConverter bare) {
        Schema doubles = array(Schema.FLOAT64_SCHEMA);
        Schema floats = array(Schema.FLOAT32_SCHEMA);
        double[] pow10 = {1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7};
        for (int round = 0; round < 50; round++) {
            List<Object> d = new ArrayList<>();
            List<Object> f = new ArrayList<>();
            List<Object> sd = new ArrayList<>();
            List<Object> sf = new ArrayList<>();
            List<Object> id = new ArrayList<>();
            List<Object> iff = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                d.add(Double.longBitsToDouble(next()));
                f.add(Float.intBitsToFloat((int) (next() >>> 32)));
                long v = Long.remainderUnsigned(next() >>> 11, 2000001L) - 1000000L;
                int p = (int) (next() >>> 61);
                sd.add(v / pow10[p]);
                sf.add((float) v / (float) pow10[p]);
                long k = next() >> (int) (next() >>> 58);
                id.add((double) k);
                iff.add((float) k);
            }
            line("random", "bits-double-" + round, bytes(bare.fromConnectData("t", doubles, d)));
            line("random", "bits-float-" + round, bytes(bare.fromConnectData("t", floats, f)));
            line("random", "short-double-" + round, bytes(bare.fromConnectData("t", doubles, sd)));
            line("random", "short-float-" + round, bytes(bare.fromConnectData("t", floats, sf)));
            line("random", "int-double-" + round, bytes(bare.fromConnectData("t", doubles, id)));
            line("random", "int-float-" + round, bytes(bare.fromConnectData("t", floats, iff)));
        }
    }

    // ---- the other converters ----

    static List<Object> plainValues() {
        return list("é€\ud83d\ude00", 5, 1e10, 0.1f, true, list(1, "a", null), map("a", 1, "b", list(2)),
            inner(1, "one"), new BigDecimal("1E+3"), new java.util.Date(0), null);
    }

    static void otherConverters() {
        for (String enc : List.of("UTF-8", "ISO-8859-1", "US-ASCII", "UTF-16", "UTF-16LE")) {
            StringConverter c = new StringConverter();
            c.configure(Map.of("converter.encoding", enc), false);
            int n = 0;
            for (Object v : plainValues()) {
                line("string", enc + "/from/" + n++, bytes(c.fromConnectData("t", null, v)));
            }
            n = 0;
            for (byte[] input : List.of("é".getBytes(StandardCharsets.UTF_8), b(0xff, 'a'), b(0xe9), b(0xfe, 0xff, 0, 'a'), b(0xff, 0xfe, 'a', 0), b('a'))) {
                line("string", enc + "/to/" + n++, describe(c.toConnectData("t", input)));
            }
            line("string", enc + "/to/null", describe(c.toConnectData("t", null)));
        }

        Map<String, Converter> numbers = new LinkedHashMap<>();
        numbers.put("integer", new IntegerConverter());
        numbers.put("long", new LongConverter());
        numbers.put("float", new FloatConverter());
        numbers.put("double", new DoubleConverter());
        numbers.put("short", new ShortConverter());
        numbers.put("boolean", new BooleanConverter());
        numbers.put("bytearray", new ByteArrayConverter());
        List<Object> values = list((byte) 1, (short) -2, -3, 4L, 5.5f, 6.5, true, false, "x", null, Float.NaN,
            Double.NaN, -0.0, Float.intBitsToFloat(0x7fc00001), b(1, 2));
        List<byte[]> inputs = List.of(new byte[0], b(1), b(0), b(2), b(0x80, 0x01), b(0xff, 0xff, 0xff, 0xfe),
            b(0x3f, 0xf0, 0, 0, 0, 0, 0, 0), b(0x7f, 0xc0, 0, 1), b(1, 2, 3));
        for (Map.Entry<String, Converter> e : numbers.entrySet()) {
            Converter c = e.getValue();
            c.configure(Map.of(), true);
            int n = 0;
            for (Object v : values) {
                String name = e.getKey() + "/from/" + n++;
                try {
                    line("number", name, bytes(c.fromConnectData("t", null, v)));
                } catch (Exception ex) {
                    line("number", name, "!" + ex.getMessage());
                }
            }
            for (Schema schema : List.of(Schema.STRING_SCHEMA, Schema.BOOLEAN_SCHEMA, Schema.OPTIONAL_BYTES_SCHEMA)) {
                String name = e.getKey() + "/schema/" + schema.type();
                try {
                    line("number", name, bytes(c.fromConnectData("t", schema, null)));
                } catch (Exception ex) {
                    line("number", name, "!" + ex.getMessage());
                }
            }
            n = 0;
            for (byte[] input : inputs) {
                String name = e.getKey() + "/to/" + n++;
                try {
                    line("number", name, describe(c.toConnectData("t", input)));
                } catch (Exception ex) {
                    line("number", name, "!" + ex.getMessage());
                }
            }
            line("number", e.getKey() + "/to/null", describe(c.toConnectData("t", null)));
        }
    }

    static List<Object> headerValues() {
        Struct withDefault = new Struct(SchemaBuilder.struct().field("a", SchemaBuilder.int32().optional().defaultValue(9).build())
            .field("b", Schema.OPTIONAL_STRING_SCHEMA).build());
        return list(5, (byte) -1, 4L, 0.5, 1e10, 1.5f, "plain \"text\" \\ here", "", true, list("a\"b", 1, null, list()),
            map("k", list(1.5, "x"), 3, false), b(1, 2, 3), new java.util.Date(0), new java.util.Date(DAY),
            new java.util.Date(DAY + 1), new java.util.Date(45296789), new java.util.Date(-1000),
            new BigDecimal("1E+3"), new BigDecimal("-0.50"), inner(1, "one"), withDefault);
    }

    // ---- describing a SchemaAndValue (main.rs's describe writes the same text) ----

    static String describe(SchemaAndValue sv) {
        if (sv == null) return "NULL";
        return schema(sv.schema()) + " " + value(sv.value());
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\\') sb.append("\\\\");
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    static String schema(Schema s) {
        if (s == null) return "-";
        StringBuilder sb = new StringBuilder(s.type().name());
        if (s.isOptional()) sb.append('?');
        if (s.name() != null) sb.append('(').append(esc(s.name())).append(')');
        if (s.version() != null) sb.append('v').append(s.version());
        if (s.doc() != null) sb.append('#').append(esc(s.doc()));
        if (s.parameters() != null) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, String> e : s.parameters().entrySet()) {
                if (!first) sb.append(',');
                first = false;
                sb.append(esc(e.getKey())).append('=').append(esc(e.getValue()));
            }
            sb.append('}');
        }
        if (s.defaultValue() != null) sb.append('=').append(value(s.defaultValue()));
        switch (s.type()) {
            case ARRAY -> sb.append('<').append(schema(s.valueSchema())).append('>');
            case MAP -> sb.append('<').append(schema(s.keySchema())).append(',').append(schema(s.valueSchema())).append('>');
            case STRUCT -> {
                sb.append('{');
                boolean first = true;
                for (Field f : s.fields()) {
                    if (!first) sb.append(',');
                    first = false;
                    sb.append(esc(f.name())).append(':').append(schema(f.schema()));
                }
                sb.append('}');
            }
            default -> { }
        }
        return sb.toString();
    }

    static String value(Object v) {
        if (v == null) return "null";
        if (v instanceof Byte x) return "i8:" + x;
        if (v instanceof Short x) return "i16:" + x;
        if (v instanceof Integer x) return "i32:" + x;
        if (v instanceof Long x) return "i64:" + x;
        if (v instanceof Float x) return "f32:" + x;
        if (v instanceof Double x) return "f64:" + x;
        if (v instanceof Boolean x) return "b:" + x;
        if (v instanceof String x) return "s:" + esc(x);
        if (v instanceof byte[] x) return "B:" + Base64.getEncoder().encodeToString(x);
        if (v instanceof BigDecimal x) return "D:" + x.unscaledValue() + "e" + x.scale();
        if (v instanceof java.util.Date x) return "T:" + x.getTime();
        if (v instanceof List<?> x) {
            StringJoiner j = new StringJoiner(",", "[", "]");
            for (Object o : x) j.add(value(o));
            return j.toString();
        }
        if (v instanceof Map<?, ?> x) {
            StringJoiner j = new StringJoiner(",", "{", "}");
            for (Map.Entry<?, ?> e : x.entrySet()) j.add(value(e.getKey()) + "=" + value(e.getValue()));
            return j.toString();
        }
        if (v instanceof Struct x) {
            StringJoiner j = new StringJoiner(",", "S{", "}");
            for (Field f : x.schema().fields()) j.add(value(x.getWithoutDefault(f.name())));
            return j.toString();
        }
        return "?" + v.getClass().getName();
    }
}
