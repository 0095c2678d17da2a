#!/usr/bin/env node
// Kaskade interop round trip with kafkajs (a pure-JavaScript Kafka client).
//
//   node roundtrip.js --bootstrap H:P --topic T [--codec C | --codecs all] [options]
//
// Produces the deterministic records of ../README.md with kafkajs's producer (acks=-1,
// idempotent=false, the chosen compression) to explicit partitions, then reads every partition
// from its log start offset and checks each record byte for byte against what was sent and the
// offset the producer was told.
//
// Reading: kafkajs's only public consumer is a group consumer (groupId is mandatory, it joins the
// group and needs the group coordinator). By default this program reads WITHOUT a group, through
// kafkajs's own cluster/broker layer: the Kafka instance's internal cluster factory, then
// Fetch requests sent by kafkajs's Broker.fetch() to each partition leader and decoded (and
// decompressed) by kafkajs's record-batch decoder. That is kafkajs's protocol code end to end, but
// an internal API (kafkajs/src), not the documented one. `--group-consumer GROUP` reads with the
// public consumer API instead (subscribe fromBeginning, no commits), which needs group support.
//
// Exit codes: 0 all checks passed, 1 a check failed (every mismatch printed), 2 usage or client
// error, 3 a requested codec is not supported (printed as UNSUPPORTED with the reason).
'use strict'

const crypto = require('crypto')

const CLIENT = 'kafkajs'
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const EXIT = { OK: 0, MISMATCH: 1, ERROR: 2, UNSUPPORTED: 3 }
const SEND_CHUNK = 25 // records per producer.send() call: one record batch per partition each

const USAGE = `usage: node roundtrip.js --bootstrap H:P --topic T [options]
  --codec none|gzip|snappy|lz4|zstd   producer compression (default none)
  --codecs all|C1,C2,...              one round per codec on the same topic
  --count N                           records per round (default 200)
  --seed S                            content seed (default 1)
  --base-timestamp MS                 CreateTime of record 0 (default: now - 1 h, whole second)
  --timeout SEC                       consume deadline per round (default 30)
  --create-topic PARTITIONS           create the topic first (replication factor 1)
  --group-consumer GROUP              read with kafkajs's group consumer instead of group-less fetches
  --describe PARTITIONS               print the records (one line each) and exit; no broker needed`

// ------------------------------------------------------------------ arguments

function usageError(msg) {
  process.stderr.write(`usage error: ${msg}\n${USAGE}\n`)
  process.exit(EXIT.ERROR)
}

function parseArgs(argv) {
  const a = { codecs: ['none'], count: 200, seed: 1n, baseTimestamp: null, timeout: 30, createTopic: 0 }
  const num = (flag, v) => {
    if (!/^-?\d+$/.test(v)) usageError(`bad number for ${flag}: ${v}`)
    return Number(v)
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(USAGE + '\n')
      process.exit(0)
    }
    if (i + 1 >= argv.length) usageError(`missing value for ${flag}`)
    const v = argv[++i]
    switch (flag) {
      case '--bootstrap': a.bootstrap = v; break
      case '--topic': a.topic = v; break
      case '--codec': a.codecs = [v]; break
      case '--codecs': a.codecs = v === 'all' ? CODECS : v.split(','); break
      case '--count': a.count = num(flag, v); break
      case '--seed': num(flag, v); a.seed = BigInt(v); break
      case '--base-timestamp': a.baseTimestamp = num(flag, v); break
      case '--timeout': a.timeout = Number(v); break
      case '--create-topic': a.createTopic = num(flag, v); break
      case '--group-consumer': a.group = v; break
      case '--describe': a.describe = num(flag, v); break
      default: usageError(`unknown option ${flag}`)
    }
  }
  if (a.describe) return a
  if (!a.bootstrap || !a.topic) usageError('--bootstrap and --topic are required')
  if (a.count < 1) usageError('--count must be >= 1')
  for (const c of a.codecs) {
    if (!CODECS.includes(c)) {
      console.log(`UNSUPPORTED client=${CLIENT} codec=${c} reason=unknown codec (known: ${CODECS.join(',')})`)
      process.exit(EXIT.UNSUPPORTED)
    }
  }
  if (a.baseTimestamp === null) a.baseTimestamp = Math.floor(Date.now() / 1000) * 1000 - 3600000
  return a
}

// ------------------------------------------------------------------ records (../README.md)

const M64 = (1n << 64n) - 1n

class Rng { // SplitMix64
  constructor(seed) { this.state = BigInt.asUintN(64, seed) }
  next() {
    this.state = (this.state + 0x9E3779B97F4A7C15n) & M64
    let z = this.state
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M64
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M64
    return z ^ (z >> 31n)
  }
  below(n) { return Number(this.next() % BigInt(n)) }
  bytes(n) {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i += 8) {
      let v = this.next()
      for (let k = 0; k < 8 && i + k < n; k++) {
        out[i + k] = Number(v & 0xFFn)
        v >>= 8n
      }
    }
    return out
  }
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const utf8 = s => Buffer.from(s, 'utf8')

function makeRecord(seed, i, partitions, base) {
  const rng = new Rng(BigInt.asUintN(64, seed) ^ ((BigInt(i + 1) * 0xD1B54A32D192ED03n) & M64))
  const r = { index: i, partition: i % partitions, offset: -1 }
  r.timestamp = base + 3 * i + rng.below(3)
  switch (i % 7) {
    case 3: r.key = null; break
    case 5: r.key = Buffer.alloc(0); break
    case 6: r.key = rng.bytes(1 + rng.below(16)); break
    default: r.key = utf8(`key-${i}`)
  }
  if (i % 17 === 4) r.value = null
  else if (i % 17 === 9) r.value = Buffer.alloc(0)
  else if (i % 50 === 25) r.value = rng.bytes(100000 + rng.below(4096))
  else if (i % 3 === 0) r.value = rng.bytes(rng.below(512))
  else {
    const n = rng.below(1000)
    let tail = ''
    for (let k = 0; k < n; k++) tail += ALNUM[rng.below(36)]
    r.value = utf8(`value-${i}-ünïcødé-€-${tail}`)
  }
  switch (i % 5) {
    case 0: r.headers = []; break
    case 1: r.headers = [['h-single', utf8(`v${i}`)]]; break
    case 2: r.headers = [['dup', utf8('first')], ['dup', utf8('second')], ['bin', rng.bytes(8)], ['empty', Buffer.alloc(0)]]; break
    case 3: r.headers = [['dup', utf8('a')], ['other', utf8('b')], ['dup', utf8('c')], ['null-value', null]]; break
    default: r.headers = [['ключ-🔑', utf8('ünïcødé')], ['trace-id', rng.bytes(16)]]
  }
  return r
}

const digest = b => (b === null ? 'null' : `${b.length}/${crypto.createHash('sha256').update(b).digest('hex').slice(0, 16)}`)

function describe(r) {
  const hs = r.headers.map(([k, v]) => `${utf8(k).toString('hex')}:${digest(v)}`).join(',')
  return `i=${r.index} p=${r.partition} ts=${r.timestamp} key=${digest(r.key)} value=${digest(r.value)} headers=[${hs}]`
}

// kafkajs takes headers as an object: a key maps to one value or to an array of values. So it
// writes all values of one key together, keys in first-appearance order: [dup,a][other,b][dup,c]
// goes on the wire as [dup,a][dup,c][other,b]. Returns the object and the wire order.
function kafkajsHeaders(list) {
  const obj = {}
  for (const [k, v] of list) {
    if (!(k in obj)) obj[k] = []
    obj[k].push(v)
  }
  const wire = []
  for (const k of Object.keys(obj)) for (const v of obj[k]) wire.push([k, v])
  for (const k of Object.keys(obj)) if (obj[k].length === 1) obj[k] = obj[k][0]
  return { obj, wire }
}

// A decoded kafkajs headers object back to a list, in the object's key order.
function flattenHeaders(obj) {
  const out = []
  for (const k of Object.keys(obj || {})) {
    const v = obj[k]
    if (Array.isArray(v)) for (const x of v) out.push([k, x])
    else out.push([k, v])
  }
  return out
}

// ------------------------------------------------------------------ checks

const show = b => {
  if (b === null || b === undefined) return String(b)
  const h = b.subarray(0, 24).toString('hex')
  return `len=${b.length} hex=${h}${b.length > 24 ? '...' : ''}`
}
const firstDiff = (a, b) => {
  if (!Buffer.isBuffer(a) || !Buffer.isBuffer(b)) return ''
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return `, first difference at byte ${n}`
}
const showHeaders = hs => '[' + hs.map(([k, v]) => `${k}=${show(v)}`).join(', ') + ']'
const sameBytes = (a, b) => (a === null || b === null ? a === b : Buffer.isBuffer(b) && a.equals(b))

class Verifier {
  constructor(expected, problems) {
    this.expected = expected
    this.problems = problems
    this.byPos = new Map()
    this.first = new Map()
    this.seen = new Set()
    this.consumed = 0
    this.foreign = 0
    for (const r of expected) {
      const pos = `${r.partition}:${r.offset}`
      if (this.byPos.has(pos)) {
        problems.push(`PRODUCE i=${r.index} and i=${this.byPos.get(pos).index} were both given p=${r.partition} offset=${r.offset}`)
      }
      this.byPos.set(pos, r)
      if (!this.first.has(r.partition) || r.offset < this.first.get(r.partition)) this.first.set(r.partition, r.offset)
    }
  }

  check(partition, offset, key, value, headers, timestamp, tsType) {
    const pos = `${partition}:${offset}`
    let where = `p=${partition} offset=${offset}`
    const r = this.byPos.get(pos)
    if (!r) {
      if (!this.first.has(partition) || offset < this.first.get(partition)) this.foreign++
      else this.problems.push(`UNEXPECTED ${where} was never produced by this round`)
      return
    }
    if (this.seen.has(pos)) {
      this.problems.push(`DUPLICATE ${where} delivered twice`)
      return
    }
    this.seen.add(pos)
    this.consumed++
    where = `i=${r.index} ${where}`
    if (!sameBytes(r.key, key)) this.problems.push(`${where} key: want ${show(r.key)}, got ${show(key)}${firstDiff(r.key, key)}`)
    if (!sameBytes(r.value, value)) this.problems.push(`${where} value: want ${show(r.value)}, got ${show(value)}${firstDiff(r.value, value)}`)
    if (timestamp !== r.timestamp || tsType !== 'CreateTime') {
      this.problems.push(`${where} timestamp: want ${r.timestamp} CreateTime, got ${timestamp} ${tsType}`)
    }
    const want = r.wireHeaders
    const same = headers.length === want.length && headers.every(([k, v], j) => k === want[j][0] && sameBytes(want[j][1], v))
    if (!same) this.problems.push(`${where} headers: want ${showHeaders(want)}, got ${showHeaders(headers)}`)
  }

  done() { return this.consumed >= this.expected.length }

  reportMissing(timeout) {
    for (const r of this.expected) {
      if (!this.seen.has(`${r.partition}:${r.offset}`)) {
        this.problems.push(`MISSING i=${r.index} p=${r.partition} offset=${r.offset} not consumed within ${timeout} s`)
      }
    }
  }

  lastOffsets() {
    const last = new Map()
    for (const r of this.expected) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset))
    return last
  }
}

const tsTypeName = t => ({ 0: 'CreateTime', 1: 'LogAppendTime' }[t] ?? `type-${t}`)

// ------------------------------------------------------------------ codecs

// Registers every codec kafkajs can get here (all of them, so that reading a topic that holds
// batches of other codecs works too) and returns {codec: reason} for the ones that failed.
async function registerCodecs() {
  const { CompressionTypes, CompressionCodecs } = require('kafkajs')
  const missing = {}
  try {
    CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy')
  } catch (e) {
    missing.snappy = `kafkajs-snappy not loadable: ${e.message.split('\n')[0]}`
  }
  try {
    const LZ4Codec = require('kafkajs-lz4')
    CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec
  } catch (e) {
    missing.lz4 = `kafkajs-lz4 not loadable: ${e.message.split('\n')[0]}`
  }
  try {
    const zstd = require('./zstd-codec')
    await zstd.init()
    CompressionCodecs[CompressionTypes.ZSTD] = zstd
  } catch (e) {
    missing.zstd = `zstd codec (@bokuweb/zstd-wasm + fzstd) not loadable: ${e.message.split('\n')[0]}`
  }
  return missing
}

function compressionType(codec) {
  const { CompressionTypes } = require('kafkajs')
  return { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD }[codec]
}

// ------------------------------------------------------------------ the round trip

const stderrLogger = level => ({ namespace, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(`[kafkajs ${label} ${namespace}] ${message} ${JSON.stringify(extra)}\n`)
}

async function run(args) {
  const { Kafka, logLevel, Partitioners } = require('kafkajs')
  const missing = await registerCodecs()
  for (const c of args.codecs) {
    if (missing[c]) {
      console.log(`UNSUPPORTED client=${CLIENT} codec=${c} reason=${missing[c]}`)
      return EXIT.UNSUPPORTED
    }
  }
  const kafka = new Kafka({
    clientId: 'kaskade-interop-kafkajs',
    brokers: [args.bootstrap],
    logLevel: logLevel.WARN,
    logCreator: stderrLogger,
    retry: { retries: 5 },
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    if (args.createTopic > 0) {
      const created = await admin.createTopics({
        topics: [{ topic: args.topic, numPartitions: args.createTopic, replicationFactor: 1 }],
        waitForLeaders: true,
      })
      process.stderr.write(created ? `created topic ${args.topic} with ${args.createTopic} partitions\n`
        : `topic ${args.topic} already exists; using it\n`)
    }
    let failed = 0
    for (let n = 0; n < args.codecs.length; n++) {
      const rc = await oneRound(kafka, admin, args, args.codecs[n], args.seed + BigInt(n), Partitioners)
      if (rc !== EXIT.OK) failed++
    }
    if (args.codecs.length > 1) {
      console.log(`${failed ? 'FAIL' : 'OK'} client=${CLIENT} rounds=${args.codecs.length} failed=${failed} codecs=${args.codecs.join(',')}`)
    }
    return failed ? EXIT.MISMATCH : EXIT.OK
  } finally {
    await admin.disconnect()
  }
}

async function oneRound(kafka, admin, args, codec, seed, Partitioners) {
  const problems = []
  const md = await admin.fetchTopicMetadata({ topics: [args.topic] })
  const partitions = md.topics[0].partitions.length
  if (!partitions) throw new Error(`topic ${args.topic} has no partitions`)
  const expected = []
  let regrouped = 0
  let nullHeaders = 0
  for (let i = 0; i < args.count; i++) {
    const r = makeRecord(seed, i, partitions, args.baseTimestamp)
    // kafkajs's record encoder sizes every header value with Buffer.byteLength(value), which
    // throws on null: a null header value cannot be sent, so such headers are left out (counted).
    const kept = r.headers.filter(([, v]) => v !== null)
    if (kept.length !== r.headers.length) nullHeaders++
    r.headers = kept
    const { obj, wire } = kafkajsHeaders(r.headers)
    r.headerObject = obj
    r.wireHeaders = wire
    if (wire.some(([k, v], j) => k !== r.headers[j][0] || v !== r.headers[j][1])) regrouped++
    expected.push(r)
  }

  const producer = kafka.producer({
    idempotent: false,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  try {
    for (let start = 0; start < expected.length; start += SEND_CHUNK) {
      const chunk = expected.slice(start, start + SEND_CHUNK)
      const res = await producer.send({
        topic: args.topic,
        acks: -1,
        compression: compressionType(codec),
        messages: chunk.map(r => ({
          partition: r.partition,
          key: r.key,
          value: r.value,
          headers: r.headerObject,
          timestamp: String(r.timestamp),
        })),
      })
      // kafkajs answers one RecordMetadata per partition (the batch's base offset); the records
      // of one partition in one send() form one batch, so record k of it is at baseOffset + k.
      const base = new Map(res.map(m => [m.partition, Number(m.baseOffset)]))
      const next = new Map()
      for (const r of chunk) {
        if (!base.has(r.partition)) {
          problems.push(`PRODUCE i=${r.index} p=${r.partition}: no metadata for its partition in the send result`)
          continue
        }
        const k = next.get(r.partition) ?? 0
        next.set(r.partition, k + 1)
        r.offset = base.get(r.partition) + k
      }
      for (const m of res) {
        if (m.errorCode) problems.push(`PRODUCE p=${m.partition} errorCode=${m.errorCode}`)
      }
    }
  } finally {
    await producer.disconnect()
  }

  const v = new Verifier(expected, problems)
  const read = args.group ? 'group-consumer' : 'fetch-no-group'
  if (args.group) await readWithGroup(kafka, args, v)
  else await readWithFetch(kafka, admin, args, partitions, v)
  if (!v.done()) v.reportMissing(args.timeout)

  const ends = new Map((await admin.fetchTopicOffsets(args.topic)).map(o => [o.partition, Number(o.high)]))
  for (const [p, last] of [...v.lastOffsets()].sort((a, b) => a[0] - b[0])) {
    if (ends.get(p) !== last + 1) {
      problems.push(`END_OFFSET p=${p} high watermark ${ends.get(p)}, expected ${last + 1} (last produced offset + 1)`)
    }
  }

  for (const p of problems) console.log(`MISMATCH codec=${codec} ${p}`)
  const summary = `client=${CLIENT} produced=${args.count} consumed=${v.consumed} codec=${codec} partitions=${partitions} ` +
    `seed=${seed} foreign=${v.foreign} read=${read} headers_regrouped_by_key=${regrouped} ` +
    `adapted_null_header_values_dropped=${nullHeaders}`
  if (problems.length) {
    console.log(`FAIL ${summary} mismatches=${problems.length}`)
    return EXIT.MISMATCH
  }
  console.log(`OK ${summary}`)
  return EXIT.OK
}

// Group-less read: kafkajs's internal cluster + Broker.fetch, one Fetch per leader per pass.
async function readWithFetch(kafka, admin, args, partitions, v) {
  const factory = Object.getOwnPropertySymbols(kafka).find(s => s.description === 'private:Kafka:createCluster')
  if (!factory) throw new Error('this kafkajs has no internal cluster factory (private:Kafka:createCluster)')
  const cluster = kafka[factory]({ allowAutoTopicCreation: false })
  await cluster.connect()
  try {
    await cluster.addTargetTopic(args.topic)
    await cluster.refreshMetadata()
    const position = new Map((await admin.fetchTopicOffsets(args.topic)).map(o => [o.partition, Number(o.low)]))
    const all = [...Array(partitions).keys()]
    const deadline = Date.now() + args.timeout * 1000
    while (!v.done() && Date.now() < deadline) {
      const byLeader = cluster.findLeaderForPartitions(args.topic, all)
      for (const [leader, parts] of Object.entries(byLeader)) {
        const broker = await cluster.findBroker({ nodeId: leader })
        const resp = await broker.fetch({
          replicaId: -1,
          isolationLevel: 0, // READ_UNCOMMITTED, as the other programs' consumers
          maxWaitTime: 500,
          minBytes: 1,
          maxBytes: 10485760,
          topics: [{ topic: args.topic, partitions: parts.map(p => ({ partition: p, fetchOffset: String(position.get(p)), maxBytes: 2097152 })) }],
        })
        for (const t of resp.responses) {
          for (const p of t.partitions) {
            for (const m of p.messages) {
              const off = Number(m.offset)
              if (off < position.get(p.partition)) continue // a compressed batch starts before the fetch offset
              position.set(p.partition, off + 1)
              if (m.isControlRecord) continue
              v.check(p.partition, off, m.key, m.value, flattenHeaders(m.headers), Number(m.timestamp),
                tsTypeName(m.batchContext && m.batchContext.timestampType))
            }
          }
        }
      }
    }
  } finally {
    await cluster.disconnect()
  }
}

// Public API read: a group consumer from the beginning, no offset commits.
async function readWithGroup(kafka, args, v) {
  const consumer = kafka.consumer({ groupId: args.group, allowAutoTopicCreation: false })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
    let resolveDone, rejectDone
    const finished = new Promise((resolve, reject) => { resolveDone = resolve; rejectDone = reject })
    // A crash (e.g. no group coordinator) ends the read at once as an ERROR, not as 200 MISSING.
    consumer.on(consumer.events.CRASH, ({ payload }) => rejectDone(payload.error))
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          v.check(batch.partition, Number(m.offset), m.key, m.value, flattenHeaders(m.headers), Number(m.timestamp),
            tsTypeName(m.batchContext && m.batchContext.timestampType))
        }
        if (v.done()) resolveDone()
      },
    })
    let timer
    try {
      await Promise.race([finished, new Promise(resolve => { timer = setTimeout(resolve, args.timeout * 1000) })])
    } finally {
      clearTimeout(timer)
    }
  } finally {
    await consumer.disconnect()
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (args.describe) {
    for (let i = 0; i < args.count; i++) console.log(describe(makeRecord(args.seed, i, args.describe, args.baseTimestamp ?? 0)))
    return EXIT.OK
  }
  try {
    return await run(args)
  } catch (e) {
    process.stderr.write(`${e.stack || e}\n`)
    console.log(`ERROR client=${CLIENT} ${e.name}: ${String(e.message).replace(/\n/g, ' ')}`)
    return EXIT.ERROR
  }
}

main().then(rc => {
  // Let stdout drain, then leave even if a client left a timer or socket behind.
  process.stdout.write('', () => process.exit(rc))
})
