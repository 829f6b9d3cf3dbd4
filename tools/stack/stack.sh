#!/usr/bin/env bash
# Local stack without Docker: a real Apache Kafka 4.x broker (KRaft, single node)
# from Maven-resolved jars, and Redis (the one at REDIS_URL, or our own redis-server).
#
#   tools/stack/stack.sh up      start what is missing, print the env to use and
#                                STACK_STARTED=<what this call started>
#   tools/stack/stack.sh down [kafka] [redis]
#                                stop what this script started (all by default)
#   tools/stack/stack.sh env     print KAFKA_BROKERS / REDIS_URL lines
#
# Everything lives under .stack/ (git-ignored) in the project root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.stack"
LIBS="$STATE/kafka-libs"
KAFKA_PORT="${KERA_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KERA_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

log() { printf '[stack] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

host_of() { echo "${1%%:*}"; }
port_of() { echo "${1##*:}"; }

kafka_answers() {
  local first="${KAFKA_BROKERS%%,*}"
  port_open "$(host_of "$first")" "$(port_of "$first")"
}

redis_hostport() {
  local hp="${REDIS_URL#redis://}"; hp="${hp##*@}"; hp="${hp%%/*}"
  echo "$hp"
}

redis_answers() {
  local hp; hp="$(redis_hostport)"
  redis-cli -h "$(host_of "$hp")" -p "$(port_of "$hp")" ping 2>/dev/null | grep -q PONG
}

resolve_kafka() {
  if [ -f "$LIBS/.resolved" ] && [ "$LIBS/.resolved" -nt "$ROOT/tools/kafka/pom.xml" ]; then return; fi
  log "resolving the Kafka broker from Maven Central (first run only)"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -B -q -f "$ROOT/tools/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.resolved"
}

STARTED=()

start_kafka() {
  if kafka_answers; then log "Kafka answers at $KAFKA_BROKERS; using it"; return; fi
  STARTED+=(kafka)
  command -v java >/dev/null || { log "java not found: install Java 17 or set KAFKA_BROKERS"; exit 1; }
  resolve_kafka
  local dir="$STATE/kafka"; mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
PROPS
  if [ ! -f "$dir/cluster.id" ]; then
    java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid > "$dir/cluster.id"
  fi
  java -cp "$LIBS/*" kafka.tools.StorageTool format --ignore-formatted --standalone=false \
    -t "$(cat "$dir/cluster.id")" -c "$dir/server.properties" >"$dir/format.log" 2>&1 || {
    # --standalone is not accepted together with controller.quorum.voters on some versions
    java -cp "$LIBS/*" kafka.tools.StorageTool format --ignore-formatted \
      -t "$(cat "$dir/cluster.id")" -c "$dir/server.properties" >"$dir/format.log" 2>&1 || {
      log "formatting Kafka storage failed:"; cat "$dir/format.log" >&2; exit 1; }
  }
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT (log: .stack/kafka/server.log)"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info \
    -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" >"$dir/server.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 120); do
    if kafka_answers && grep -q "Kafka Server started" "$dir/server.log"; then log "Kafka is up"; return; fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then log "Kafka exited:"; tail -30 "$dir/server.log" >&2; exit 1; fi
    sleep 0.5
  done
  log "Kafka did not start within 60 s:"; tail -30 "$dir/server.log" >&2; exit 1
}

start_redis() {
  if redis_answers; then log "Redis answers at $REDIS_URL; using it"; return; fi
  command -v redis-server >/dev/null || { log "redis-server not found: install Redis 7 or set REDIS_URL"; exit 1; }
  STARTED+=(redis)
  local hp; hp="$(redis_hostport)"
  local dir="$STATE/redis"; mkdir -p "$dir"
  log "starting redis-server on $hp"
  redis-server --daemonize yes --bind "$(host_of "$hp")" --port "$(port_of "$hp")" \
    --save "" --appendonly no --dir "$dir" --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --maxmemory-policy noeviction
  for _ in $(seq 1 40); do redis_answers && { log "Redis is up"; return; }; sleep 0.25; done
  log "Redis did not start"; exit 1
}

stop_pidfile() {
  local f="$1" name="$2"
  [ -f "$f" ] || return 0
  local pid; pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "${1:-up}" in
  up)
    mkdir -p "$STATE"
    start_kafka
    start_redis
    echo "KAFKA_BROKERS=$KAFKA_BROKERS"
    echo "REDIS_URL=$REDIS_URL"
    echo "STACK_STARTED=${STARTED[*]:-}"
    ;;
  down)
    shift
    what="${*:-kafka redis}"
    case " $what " in *" kafka "*) stop_pidfile "$STATE/kafka/pid" kafka ;; esac
    case " $what " in *" redis "*) stop_pidfile "$STATE/redis/redis.pid" redis ;; esac
    ;;
  reset)
    "$0" down
    rm -rf "$STATE/kafka" "$STATE/redis"
    ;;
  env)
    echo "KAFKA_BROKERS=$KAFKA_BROKERS"
    echo "REDIS_URL=$REDIS_URL"
    ;;
  *) echo "usage: $0 up|down|reset|env" >&2; exit 2 ;;
esac
