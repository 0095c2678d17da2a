// A ZSTD codec for kafkajs built from two packages that need no native build:
// @bokuweb/zstd-wasm (libzstd compiled to WebAssembly, shipped in the package) compresses and
// fzstd (pure JavaScript) decompresses. fzstd is used for reading because it streams frames whose
// header carries no content size (what Java's zstd-jni and librdkafka write); zstd-wasm's
// one-shot decompress would have to guess an output size for those.
//
// The kafkajs plugin for ZSTD, @kafkajs/zstd 0.1.1, depends on cppzst 2.0.6, a native addon
// that does not compile against Node 20's headers (they need C++17), so it is not used here.

const zstdWasm = require('@bokuweb/zstd-wasm')
const fzstd = require('fzstd')

const LEVEL = 3 // libzstd's default level, as Kafka's producer uses

let ready = null
const init = () => {
  if (!ready) ready = zstdWasm.init()
  return ready
}

module.exports = () => ({
  async compress(encoder) {
    await init()
    return Buffer.from(zstdWasm.compress(encoder.buffer, LEVEL))
  },
  async decompress(buffer) {
    return Buffer.from(fzstd.decompress(buffer))
  },
})

module.exports.init = init
