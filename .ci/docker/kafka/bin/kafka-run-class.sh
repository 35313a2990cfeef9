#!/usr/bin/env bash
# kafka-run-class.sh CLASS [ARGS]: runs a class of /opt/kafka/libs with the variables of Kafka's
# scripts: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_GC_LOG_OPTS, KAFKA_JMX_OPTS and
# JMX_PORT, KAFKA_LOG4J_OPTS, KAFKA_OPTS, JAVA_HOME and CLASSPATH. -daemon, -name and -loggc are
# not supported (the container runs the broker in the foreground).
[ $# -ge 1 ] || { echo "USAGE: $0 classname [opts]" >&2; exit 1; }
base_dir=$(cd "$(dirname "$0")/.." && pwd)
classpath="$base_dir/libs/*${CLASSPATH:+:$CLASSPATH}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
heap=${KAFKA_HEAP_OPTS:--Xmx256M}
performance=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/tools-log4j2.yaml}
jmx=${KAFKA_JMX_OPTS:-}
if [ -n "${JMX_PORT:-}" ]; then
  jmx="$jmx -Dcom.sun.management.jmxremote.port=$JMX_PORT"
fi
# shellcheck disable=SC2086 # the option variables hold several words, as in Kafka's scripts
exec "$java" $heap $performance ${KAFKA_GC_LOG_OPTS:-} $jmx -Dkafka.logs.dir="${LOG_DIR:-$base_dir/logs}" $log4j ${KAFKA_OPTS:-} -cp "$classpath" "$@"
