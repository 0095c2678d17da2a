#!/usr/bin/env node
// Kaskade group-consumer scenario program with kafkajs (a pure-JavaScript Kafka client).
//
//   node group_consumer.js --bootstrap H:P --topic T --group G [options]
//
// One member of a consumer group: kafkajs's consumer with `subscribe({ fromBeginning: true })`
// and `run({ eachBatch, autoCommit: false })`. Every record processed is printed and its offset + 1
// committed with `commitOffsets` (awaited: --commit sync, not awaited: --commit async), or left
// to kafkajs's auto-commit (--commit auto), or not committed (--commit none). Output lines and stop
// conditions are those of ../java/GroupConsumer.java (see ../README.md, "Group consumers"), with
// what kafkajs cannot tell: it has only the round-robin assignor built in, no static membership
// (no group.instance.id), no generation id in its events (printed as gen=-1), and no revocation
// callback: REVOKED is derived from two successive GROUP_JOIN assignments.
//
// Exit codes: 0 stopped cleanly, 1 stopped before --max-records were read, 2 usage or client error,
// 3 an option kafkajs cannot do (UNSUPPORTED).
'use strict'

const CLIENT = 'kafkajs'
const EXIT = { OK: 0, SHORT: 1, ERROR: 2, UNSUPPORTED: 3 }
const COMMIT_METADATA = 'kaskade-interop'

const USAGE = `usage: node group_consumer.js --bootstrap H:P --topic T --group G [options]
  --assignor roundrobin               the only assignor kafkajs has built in (default)
  --commit sync|async|auto|none       how processed offsets are committed (default sync)
  --session-timeout-ms N              sessionTimeout (kafkajs default 30000)
  --heartbeat-interval-ms N           heartbeatInterval (kafkajs default 3000)
  --client-id ID                      clientId
  --max-records N                     stop after processing N records
  --timeout SEC                       stop after SEC seconds at the latest (default 300)
  --stdin-control                     stop on a line "stop" or EOF on stdin`

function out(line) {
  process.stdout.write(line + '\n')
}

function usageError(msg) {
  process.stderr.write(`usage error: ${msg}\n${USAGE}\n`)
  process.exit(EXIT.ERROR)
}

function parseArgs(argv) {
  const a = { assignor: 'roundrobin', commit: 'sync', maxRecords: -1, timeout: 300, stdinControl: false }
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
    if (flag === '--stdin-control') { a.stdinControl = true; continue }
    if (i + 1 >= argv.length) usageError(`missing value for ${flag}`)
    const v = argv[++i]
    switch (flag) {
      case '--bootstrap': a.bootstrap = v; break
      case '--topic': a.topic = v; break
      case '--group': a.group = v; break
      case '--assignor': a.assignor = v; break
      case '--commit': a.commit = v; break
      case '--instance-id': a.instanceId = v; break
      case '--client-id': a.clientId = v; break
      case '--session-timeout-ms': a.sessionTimeout = num(flag, v); break
      case '--heartbeat-interval-ms': a.heartbeatInterval = num(flag, v); break
      case '--max-records': a.maxRecords = num(flag, v); break
      case '--timeout': a.timeout = num(flag, v); break
      default: usageError(`unknown option ${flag}`)
    }
  }
  if (!a.bootstrap || !a.topic || !a.group) usageError('--bootstrap, --topic and --group are required')
  if (!['sync', 'async', 'auto', 'none'].includes(a.commit)) usageError('--commit must be sync, async, auto or none')
  if (a.assignor !== 'roundrobin') {
    out(`UNSUPPORTED client=${CLIENT} assignor=${a.assignor} reason=kafkajs has only the round-robin assignor built in`)
    process.exit(EXIT.UNSUPPORTED)
  }
  if (a.instanceId) {
    out(`UNSUPPORTED client=${CLIENT} instance-id=${a.instanceId} reason=kafkajs has no static membership (group.instance.id)`)
    process.exit(EXIT.UNSUPPORTED)
  }
  return a
}

const stderrLogger = level => ({ namespace, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(`[kafkajs ${label} ${namespace}] ${message} ${JSON.stringify(extra)}\n`)
}

const partsOf = set => [...set].sort((x, y) => x - y).join(',')

async function run(args) {
  const { Kafka, logLevel } = require('kafkajs')
  const kafka = new Kafka({
    clientId: args.clientId || 'kaskade-interop-kafkajs-group',
    brokers: [args.bootstrap],
    logLevel: logLevel.WARN,
    logCreator: stderrLogger,
  })
  const conf = { groupId: args.group, allowAutoTopicCreation: false }
  if (args.sessionTimeout) conf.sessionTimeout = args.sessionTimeout
  if (args.heartbeatInterval) conf.heartbeatInterval = args.heartbeatInterval
  const consumer = kafka.consumer(conf)

  let stopReason = null
  let resolveStop
  const stopped = new Promise(resolve => { resolveStop = resolve })
  const requestStop = reason => {
    if (stopReason === null) {
      stopReason = reason
      resolveStop()
    }
  }
  if (args.stdinControl) {
    const rl = require('readline').createInterface({ input: process.stdin })
    rl.on('line', line => { if (line.trim() === 'stop') requestStop('stdin') })
    rl.on('close', () => requestStop('stdin'))
  }
  const timer = setTimeout(() => requestStop('timeout'), args.timeout * 1000)

  let consumed = 0, commits = 0, commitFailures = 0
  let fatal = null
  const pending = new Map() // partition -> next offset processed, not known committed
  let assigned = new Set()

  const commit = async offsets => {
    const list = [...offsets].map(([partition, offset]) => ({ topic: args.topic, partition, offset: String(offset) }))
    if (list.length === 0) return
    try {
      await consumer.commitOffsets(list)
      commits++
      for (const [p, o] of offsets) {
        out(`COMMITTED p=${p} o=${o}`)
        if (pending.get(p) === o) pending.delete(p)
      }
    } catch (e) {
      commitFailures++
      out(`COMMIT_FAILED ${e.name}: ${String(e.message).replace(/\n/g, ' ')}`)
    }
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const now = new Set((payload.memberAssignment && payload.memberAssignment[args.topic]) || [])
    const revoked = [...assigned].filter(p => !now.has(p))
    const added = [...now].filter(p => !assigned.has(p))
    if (revoked.length) out(`REVOKED partitions=${partsOf(revoked)}`)
    assigned = now
    out(`ASSIGNMENT gen=-1 member=${payload.memberId} partitions=${partsOf(now)} added=${partsOf(added)}`)
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) {
      fatal = payload.error
      requestStop('crash')
    }
  })

  await consumer.connect()
  out(`START client=${CLIENT} group=${args.group} topic=${args.topic} assignor=${args.assignor} commit=${args.commit}`)
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true })
  await consumer.run({
    autoCommit: args.commit === 'auto',
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const done = new Map()
      for (const m of batch.messages) {
        if (stopReason !== null || (args.maxRecords >= 0 && consumed >= args.maxRecords)) break
        const k = m.key === null ? 'null' : m.key.toString('utf8')
        const v = m.value === null ? 'null' : m.value.toString('utf8')
        out(`RECORD p=${batch.partition} o=${m.offset} k=${k} v=${v}`)
        consumed++
        const next = Number(m.offset) + 1
        done.set(batch.partition, next)
        pending.set(batch.partition, next)
        resolveOffset(m.offset)
      }
      if (done.size) {
        if (args.commit === 'sync') await commit(done)
        else if (args.commit === 'async') commit(done) // not awaited: the next batch goes on
      }
      await heartbeat()
      if (args.maxRecords >= 0 && consumed >= args.maxRecords) requestStop('max-records')
    },
    eachBatchAutoResolve: false,
  })

  await stopped
  clearTimeout(timer)
  out(`STOPPING reason=${stopReason}`)
  try {
    // Before stop(): kafkajs drops its group state on stop, after which commitOffsets throws.
    if ((args.commit === 'sync' || args.commit === 'async') && !fatal) await commit(new Map(pending))
  } finally {
    await consumer.disconnect()
  }
  if (fatal) throw fatal
  const short = args.maxRecords >= 0 && consumed < args.maxRecords
  out(`${short ? 'FAIL' : 'OK'} client=${CLIENT} group=${args.group} consumed=${consumed} commits=${commits} ` +
    `commit_failures=${commitFailures} stop=${stopReason} failed=${short ? 1 : 0}`)
  return short ? EXIT.SHORT : EXIT.OK
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  try {
    return await run(args)
  } catch (e) {
    process.stderr.write(`${e.stack || e}\n`)
    out(`ERROR client=${CLIENT} ${e.name}: ${String(e.message).replace(/\n/g, ' ')}`)
    return EXIT.ERROR
  }
}

main().then(rc => {
  process.stdout.write('', () => process.exit(rc))
})
