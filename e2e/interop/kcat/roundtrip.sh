#!/usr/bin/env bash
# Kaskade interop round trip with kcat (librdkafka's command-line client; Debian's kcat 1.7.1 is
# built on librdkafka 2.0.2, an old client).
#
#   roundtrip.sh --bootstrap H:P --topic T [--codec C | --codecs all] [--count N] [--seed S]
#                [--timeout SEC]
#
# Every Kafka interaction goes through kcat:
#   1. kcat -L -t T             metadata must list the topic, its partitions and their leaders
#   2. kcat -Q -t T:p:-1        each partition's end offset before producing
#   3. kcat -P -p p -K '\t' -z C -H ...   two producer runs per partition, stdin one record a line:
#        run A: keys text / binary / empty / NULL (a line without the tab), values text / binary /
#               empty / ~100 KB, headers src, dup, dup, part, empty value, UTF-8 value
#        run B: with -Z (an empty value is sent as NULL), headers dup, other, dup (interleaved
#               duplicates) and a NULL-valued header (-H name without '=')
#   4. kcat -C -e -o beginning -f '%p|%o|%T\n'   all partitions from the beginning to the end
#        (assign mode, no group): this round's records must sit at exactly the expected offsets,
#        once each, with timestamps in the produce window; older records are counted as foreign
#        (only positions are printed, so older records' bytes cannot break the line format)
#   5. kcat -C -e -p p -o START -f '%p|%o|%K|%S|%k|%s|%h\n'   each partition from this round's
#        start offset: keys, values (and their lengths, -1 = NULL) and headers, field for field
#   6. kcat -Q -t T:p:-1        each end offset must have grown by exactly what was produced
# The consumed records must equal the produced ones field for field, with offsets contiguous
# from the end offset of step 2 in the order each run sent them (kcat -P prints no offsets, so
# "the offset the producer was told" becomes "the offset an in-order producer must have got").
# kcat -P cannot set a record timestamp: each consumed timestamp must lie within the produce window.
# Record content is deterministic from --seed (bash's RANDOM), avoiding the bytes the line formats
# cannot carry: NUL, '\n', '\t' (the key delimiter) and '|' (the output separator).
#
# Output and exit codes as the other interop programs (../README.md): OK/FAIL summary line,
# MISMATCH lines, ERROR (exit 2), UNSUPPORTED (exit 3). kcat has no admin API: --create-topic is
# refused (exit 2) — create the topic with another tool first. KCAT overrides the kcat binary.
# (end of usage)
set -uo pipefail
export LC_ALL=C

CODECS=(none gzip snappy lz4 zstd)
bootstrap="" topic="" codecs=(none) count=200 seed=1 timeout=30
KCAT=${KCAT:-kcat}

usage() {
  sed -n '2,/^# (end of usage)/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit "${1:-2}"
}
while (($#)); do
  [[ $1 == -h || $1 == --help ]] && usage 0
  (($# >= 2)) || { echo "usage error: missing value for $1" >&2; usage; }
  case $1 in
    --bootstrap) bootstrap=$2 ;;
    --topic) topic=$2 ;;
    --codec) codecs=("$2") ;;
    --codecs) if [[ $2 == all ]]; then codecs=("${CODECS[@]}"); else IFS=, read -ra codecs <<<"$2"; fi ;;
    --count) count=$2 ;;
    --seed) seed=$2 ;;
    --timeout) timeout=$2 ;;
    --create-topic)
      echo "ERROR client=kcat --create-topic: kcat has no admin API; create the topic first"
      exit 2 ;;
    *) echo "usage error: unknown option $1" >&2; usage ;;
  esac
  shift 2
done
[[ -n $bootstrap && -n $topic ]] || { echo "usage error: --bootstrap and --topic are required" >&2; usage; }
[[ $count =~ ^[0-9]+$ && $count -ge 1 && $seed =~ ^-?[0-9]+$ && $timeout =~ ^[0-9]+$ ]] ||
  { echo "usage error: --count, --seed and --timeout take integers (count >= 1)" >&2; usage; }
command -v "$KCAT" >/dev/null || { echo "ERROR client=kcat kcat not found (apt-get install kcat)"; exit 2; }

kver=$("$KCAT" -V 2>&1 | sed -n 's/^Version \([^ ]*\) .*librdkafka \([^ ]*\) .*/kcat \1, librdkafka \2/p')
features=$("$KCAT" -X dump 2>/dev/null | sed -n 's/^builtin.features = //p')
for c in "${codecs[@]}"; do
  if [[ " ${CODECS[*]} " != *" $c "* ]]; then
    echo "UNSUPPORTED client=kcat codec=$c reason=unknown codec (known: ${CODECS[*]})"
    exit 3
  fi
  if [[ $c != none && ",$features," != *",$c,"* ]]; then
    echo "UNSUPPORTED client=kcat codec=$c reason=this kcat's librdkafka ($kver) lacks it (builtin.features=$features)"
    exit 3
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-kcat.XXXXXX")
trap 'rm -rf "$work"' EXIT
# allow.auto.create.topics=false: kcat -L -t T would otherwise have the broker create T.
kc=("$KCAT" -b "$bootstrap" -X socket.timeout.ms=10000 -X metadata.request.timeout.ms=10000
  -X allow.auto.create.topics=false)

fail_error() { # message [file-with-details]
  [[ -n ${2:-} && -s $2 ]] && sed 's/^/  /' "$2" | head -20 >&2
  echo "ERROR client=kcat $1"
  exit 2
}

# -------------------------------------------------------------- 1. metadata

"${kc[@]}" -L -t "$topic" >"$work/meta" 2>"$work/meta.err" || fail_error "kcat -L failed" "$work/meta.err"
partitions=$(sed -n "s/^  topic \"$topic\" with \([0-9]*\) partitions:.*/\1/p" "$work/meta")
if [[ -z $partitions || $partitions -lt 1 ]]; then
  cat "$work/meta" >&2
  fail_error "kcat -L does not list topic $topic with partitions (create it first)"
fi
grep -q "^  topic \"$topic\" with $partitions partitions:$" "$work/meta" ||
  fail_error "kcat -L reports an error for topic $topic: $(grep "topic \"$topic\"" "$work/meta")"
for ((p = 0; p < partitions; p++)); do
  grep -Eq "^    partition $p, leader [0-9]+," "$work/meta" ||
    fail_error "kcat -L shows no leader for $topic [$p]: $(grep "partition $p," "$work/meta")"
done
echo "kcat: $kver; $topic has $partitions partitions" >&2

end_offsets() { # -> prints one end offset per partition, in partition order
  local p out
  for ((p = 0; p < partitions; p++)); do
    out=$("${kc[@]}" -Q -t "$topic:$p:-1" 2>"$work/q.err") || fail_error "kcat -Q -t $topic:$p:-1 failed" "$work/q.err"
    out=$(sed -n "s/^$topic \[$p\] offset \(-\{0,1\}[0-9]*\)\$/\1/p" <<<"$out")
    [[ -n $out ]] || fail_error "kcat -Q -t $topic:$p:-1 printed no offset" "$work/q.err"
    echo "$out"
  done
}

# -------------------------------------------------------------- records

ALNUM=abcdefghijklmnopqrstuvwxyz0123456789
# Sets KEY (or KEYNULL=1), VAL and BATCH (A or B) for record $1. Batch B's values are empty
# and go out as NULL (kcat -P -Z).
gen_record() {
  local i=$1 n k b hex
  RANDOM=$(((seed * 100003 + i) & 0x7fffffff))
  KEYNULL=0 KEY="" VAL=""
  BATCH=A
  ((i % 10 == 4)) && BATCH=B
  case $((i % 7)) in
    3) [[ $BATCH == A ]] && KEYNULL=1 || KEY="key-$i" ;; # kcat -P skips an empty line (NULL key + empty value)
    5) [[ $BATCH == A ]] && KEY="" || KEY="key-$i" ;; # -Z would turn an empty key into NULL
    6) printf -v KEY '\xfe\xffkey-%d-\x80' "$i" ;;     # not UTF-8
    *) KEY="key-$i" ;;
  esac
  if [[ $BATCH == B ]]; then
    VAL="" # NULL (-Z)
  elif ((i % 17 == 9)); then
    VAL=""
  elif ((i % 50 == 25)); then
    # ~100 KB: a repeated random line plus non-UTF-8 bytes
    n=$((100000 + RANDOM % 4096))
    k=$(printf 'large-%d-%05d-' "$i" "$RANDOM")
    printf -v VAL '%s' "$k"
    while ((${#VAL} < n)); do VAL+=$VAL; done
    VAL=${VAL:0:n}$'\xc3\x28\xa0\xa1'
  elif ((i % 3 == 0)); then
    n=$((RANDOM % 300)) hex=""
    for ((k = 0; k < n; k++)); do
      b=$((1 + RANDOM % 255))
      ((b == 9 || b == 10 || b == 124)) && b=$((b + 2)) # no tab, newline, '|' (9 -> 11, 10 -> 12)
      printf -v b '\\x%02x' "$b"
      hex+=$b
    done
    printf -v VAL '%b' "$hex"
  else
    n=$((RANDOM % 1000)) VAL="value-$i-ünïcødé-€-"
    for ((k = 0; k < n; k++)); do VAL+=${ALNUM:RANDOM % 36:1}; done
  fi
}

headers_a() { echo "src=kcat dup=first dup=second part=$1 empty= utf=ключ-ünïcødé"; }
HEADERS_B="dup=a other=b dup=c null-value"
render_headers() { # kcat's %h: name=value joined by ',', a NULL value as name=NULL
  local out="" h
  for h in "$@"; do
    [[ $h == *=* ]] || h="$h=NULL"
    out+=${out:+,}$h
  done
  printf '%s' "$out"
}

# -------------------------------------------------------------- one round

round() {
  local codec=$1 rseed=$2 p i k o
  local -a start end hargs
  local t0 t1 problems=0 consumed=0 foreign=0
  mapfile -t start < <(end_offsets)
  ((${#start[@]} == partitions)) || fail_error "could not read the end offsets of $topic"

  # Build per partition and batch: the kcat input and the expected consumer lines.
  for ((p = 0; p < partitions; p++)); do
    : >"$work/in.$p.A"
    : >"$work/in.$p.B"
  done
  : >"$work/expected"
  local saved_seed=$seed
  seed=$rseed
  local -a nA=() nB=()
  for ((i = 0; i < count; i++)); do
    p=$((i % partitions))
    gen_record "$i"
    {
      if ((KEYNULL)); then printf '%s\n' "$VAL"; else printf '%s\t%s\n' "$KEY" "$VAL"; fi
    } >>"$work/in.$p.$BATCH"
    if [[ $BATCH == A ]]; then nA[p]=$((${nA[p]:-0} + 1)); else nB[p]=$((${nB[p]:-0} + 1)); fi
  done
  seed=$saved_seed
  # Expected lines, in send order: per partition all of A, then all of B.
  for ((p = 0; p < partitions; p++)); do
    o=${start[p]}
    for b in A B; do
      local hdr
      if [[ $b == A ]]; then read -ra hargs <<<"$(headers_a "$p")"; else read -ra hargs <<<"$HEADERS_B"; fi
      hdr=$(render_headers "${hargs[@]}")
      while IFS= read -r line; do
        if [[ $line == *$'\t'* ]]; then
          KEY=${line%%$'\t'*} VAL=${line#*$'\t'}
          klen=${#KEY} # bytes: LC_ALL=C
        else
          KEY="" VAL=$line klen=-1
        fi
        vlen=${#VAL}
        [[ $b == B && $vlen == 0 ]] && vlen=-1
        printf '%d|%d|%d|%d|%s|%s|%s\n' "$p" "$o" "$klen" "$vlen" "$KEY" "$VAL" "$hdr" >>"$work/expected"
        o=$((o + 1))
      done <"$work/in.$p.$b"
    done
  done

  # Produce: two kcat -P runs per partition.
  t0=$(($(date +%s%3N) - 1000))
  for ((p = 0; p < partitions; p++)); do
    for b in A B; do
      [[ -s $work/in.$p.$b ]] || continue
      hargs=()
      local -a hs
      if [[ $b == A ]]; then read -ra hs <<<"$(headers_a "$p")"; else read -ra hs <<<"$HEADERS_B"; fi
      for h in "${hs[@]}"; do hargs+=(-H "$h"); done
      local zflag=()
      [[ $b == B ]] && zflag=(-Z)
      "${kc[@]}" -P -t "$topic" -p "$p" -K '\t' -z "$codec" "${zflag[@]}" "${hargs[@]}" \
        -X acks=all -X enable.idempotence=false -X linger.ms=5 -X message.max.bytes=2000000 \
        <"$work/in.$p.$b" 2>"$work/produce.err"
      local rc=$?
      if ((rc != 0)) || grep -q '^% ERROR\|Delivery failed\|% Failed' "$work/produce.err"; then
        fail_error "kcat -P -p $p (run $b, codec $codec) failed (rc=$rc)" "$work/produce.err"
      fi
    done
  done
  t1=$(($(date +%s%3N) + 1000))

  # 4. All partitions from the beginning to the end in one kcat (assign mode, no group). Only
  #     positions and timestamps are printed: older records' bytes cannot break the lines.
  timeout "$timeout" "${kc[@]}" -C -t "$topic" -e -o beginning -f '%p|%o|%T\n' \
    >"$work/positions" 2>"$work/consume.err"
  local rc=$?
  ((rc == 124)) && echo "MISMATCH codec=$codec kcat -C -o beginning did not reach the end within $timeout s" &&
    problems=$((problems + 1))
  ((rc != 0 && rc != 124)) && fail_error "kcat -C -o beginning failed (rc=$rc)" "$work/consume.err"
  local starts
  starts=$(IFS=,; echo "${start[*]}")
  # Older records are counted as foreign; this round's must carry a timestamp of the produce
  # window and sit exactly at the expected positions.
  awk -F'|' -v starts="$starts" -v t0="$t0" -v t1="$t1" -v codec="$codec" -v out="$work/positions.round" '
    BEGIN { n = split(starts, s, ","); for (i = 1; i <= n; i++) start[i - 1] = s[i] + 0 }
    {
      if ($2 + 0 < start[$1]) { foreign++; next }
      if ($3 + 0 < t0 || $3 + 0 > t1) {
        printf "MISMATCH codec=%s p=%s offset=%s timestamp %s outside the produce window [%s, %s]\n", codec, $1, $2, $3, t0, t1
      }
      print $1 "|" $2 > out
    }
    END { print foreign + 0 > "/dev/stderr" }' "$work/positions" 2>"$work/foreign" >"$work/ts.mismatches"
  read -r foreign <"$work/foreign"
  [[ -f $work/positions.round ]] || : >"$work/positions.round"
  cut -d'|' -f1,2 "$work/expected" | sort >"$work/positions.want"
  sort "$work/positions.round" >"$work/positions.got"
  {
    cat "$work/ts.mismatches"
    comm -23 "$work/positions.want" "$work/positions.got" |
      sed "s/^\([0-9]*\)|\(.*\)/MISMATCH codec=$codec MISSING p=\1 offset=\2 not read by kcat -C -o beginning/"
    comm -13 "$work/positions.want" "$work/positions.got" | uniq -c |
      sed "s/^ *\([0-9]*\) \([0-9]*\)|\(.*\)/MISMATCH codec=$codec UNEXPECTED p=\2 offset=\3 read \1 time(s) by kcat -C -o beginning, never produced by this round/"
    sort "$work/positions.round" | uniq -d |
      sed "s/^\([0-9]*\)|\(.*\)/MISMATCH codec=$codec DUPLICATE p=\1 offset=\2 read twice by kcat -C -o beginning/"
  } >"$work/mismatches.positions"
  cat "$work/mismatches.positions"
  problems=$((problems + $(wc -l <"$work/mismatches.positions")))

  # 5. This round's records in full: one kcat per partition, from its start offset to the end.
  : >"$work/consumed"
  for ((p = 0; p < partitions; p++)); do
    timeout "$timeout" "${kc[@]}" -C -t "$topic" -p "$p" -o "${start[p]}" -e -f '%p|%o|%K|%S|%k|%s|%h\n' \
      >>"$work/consumed" 2>"$work/consume.err"
    rc=$?
    ((rc == 124)) && echo "MISMATCH codec=$codec kcat -C -p $p -o ${start[p]} did not reach the end within $timeout s" &&
      problems=$((problems + 1))
    ((rc != 0 && rc != 124)) && fail_error "kcat -C -p $p -o ${start[p]} failed (rc=$rc)" "$work/consume.err"
  done
  consumed=$(wc -l <"$work/positions.round")

  # Compare field by field, keyed by partition|offset.
  sort -t'|' -k1,1n -k2,2n "$work/expected" >"$work/expected.sorted"
  sort -t'|' -k1,1n -k2,2n "$work/consumed" >"$work/consumed.sorted"
  awk -F'|' -v codec="$codec" '
    function short(s) { return length(s) > 60 ? substr(s, 1, 60) "...(" length(s) " bytes)" : s }
    NR == FNR { want[$1 "|" $2] = $0; order[++n] = $1 "|" $2; next }
    {
      pos = $1 "|" $2
      if (pos in got) { printf "MISMATCH codec=%s DUPLICATE p=%s offset=%s delivered twice\n", codec, $1, $2; bad++; next }
      got[pos] = $0
      if (!(pos in want)) { printf "MISMATCH codec=%s UNEXPECTED p=%s offset=%s was never produced by this round\n", codec, $1, $2; bad++; next }
      split(want[pos], w, "|")
      names[3] = "key length"; names[4] = "value length"; names[5] = "key"; names[6] = "value"; names[7] = "headers"
      for (f = 3; f <= 7; f++) if ((w[f] "") != ($f "")) {
        printf "MISMATCH codec=%s p=%s offset=%s %s: want %s, got %s\n", codec, $1, $2, names[f], short(w[f]), short($f); bad++
      }
    }
    END {
      for (i = 1; i <= n; i++) if (!(order[i] in got)) {
        split(order[i], q, "|"); printf "MISSING codec=%s p=%s offset=%s not consumed\n", codec, q[1], q[2]; bad++
      }
      exit bad > 0
    }' "$work/expected.sorted" "$work/consumed.sorted" | sed 's/^MISSING/MISMATCH MISSING/' >"$work/mismatches"
  cat "$work/mismatches"
  problems=$((problems + $(wc -l <"$work/mismatches")))

  # End offsets must have grown by exactly what was produced.
  mapfile -t end < <(end_offsets)
  for ((p = 0; p < partitions; p++)); do
    local want=$((start[p] + ${nA[p]:-0} + ${nB[p]:-0}))
    if [[ ${end[p]} != "$want" ]]; then
      echo "MISMATCH codec=$codec END_OFFSET p=$p high watermark ${end[p]}, expected $want (start ${start[p]} + produced)"
      problems=$((problems + 1))
    fi
  done

  local summary="client=kcat produced=$count consumed=$consumed codec=$codec partitions=$partitions seed=$rseed foreign=$foreign offsets=in-order-from-end-offset timestamps=produce-window"
  if ((problems)); then
    echo "FAIL $summary mismatches=$problems"
    return 1
  fi
  echo "OK $summary"
}

failed=0
for n in "${!codecs[@]}"; do
  round "${codecs[n]}" $((seed + n)) || failed=$((failed + 1))
done
if ((${#codecs[@]} > 1)); then
  status=OK
  ((failed)) && status=FAIL
  echo "$status client=kcat rounds=${#codecs[@]} failed=$failed codecs=$(IFS=,; echo "${codecs[*]}")"
fi
((failed == 0)) || exit 1
exit 0
